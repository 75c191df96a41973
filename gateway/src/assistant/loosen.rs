//! Fresh chat searches whose category or colour words may describe the
//! product rather than filter it.

use souk_embeddings::chat::Query;

use super::search::{Hit, Vectors};
use super::{Assistant, AssistantError};

impl Assistant {
    /// A fresh search whose category or attribute filters came from words in
    /// the message. Those words may name the product rather than filter it
    /// ("an e-reader for books", "green tea", "earl grey"), so:
    /// 1. the category filter is kept only when the best match without it is
    ///    in that category;
    /// 2. attribute filters that leave nothing are dropped;
    /// 3. dropped filters' words are searched as text (the loose text).
    pub(super) async fn loosen(
        &self,
        query: Query,
        limit: usize,
        vectors: &mut Vectors,
    ) -> Result<(Query, Vec<Hit>), AssistantError> {
        let mut query = query;
        if let Some(category) = query.filter.category.clone() {
            let mut open = query.clone();
            open.filter.category = None;
            open.attributes.clear();
            open.text = query.loose_text.clone();
            let best = self.rank(&open, 1, vectors).await?;
            let agrees = best
                .first()
                .is_none_or(|h| h.entry.product.category.as_str() == category);
            if !agrees {
                query.filter.category = None;
                query.text = query.loose_text.clone();
            }
        }
        let hits = self.rank(&query, limit, vectors).await?;
        if !hits.is_empty() || query.attributes.is_empty() {
            return Ok((query, hits));
        }
        query.attributes.clear();
        query.text = query.loose_text.clone();
        let hits = self.rank(&query, limit, vectors).await?;
        Ok((query, hits))
    }
}
