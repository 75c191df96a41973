//! Hybrid search: the catalog's lexical (BM25) ranking and the vector index's
//! similarity ranking, fused by reciprocal rank; and similar products.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use souk_actors::ProductEntry;
use souk_actors::catalog::{ProductQuery, Sort};
use souk_embeddings::chat::fusion::RRF_K;
use souk_embeddings::chat::{Query, reciprocal_rank_fusion};
use souk_embeddings::index::Filter;
use souk_embeddings::product::{item_meta, product_text};
use souk_embeddings::vector::Vector;
use souk_models::{CategorySlug, ProductId, ProductStatus};
use uuid::Uuid;

use super::attributes::has_attributes;
use super::{Assistant, AssistantError};

/// Candidates taken from each ranking before fusion.
const CANDIDATES: usize = 100;
/// With attribute constraints, which are checked after ranking, look deeper.
const CANDIDATES_WITH_ATTRIBUTES: usize = 400;

/// Words that carry no product meaning; dropped from the lexical query, which
/// requires every term to match.
const STOP_WORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "for",
    "me",
    "my",
    "i",
    "im",
    "want",
    "need",
    "show",
    "some",
    "with",
    "and",
    "of",
    "to",
    "looking",
    "look",
    "find",
    "please",
    "something",
    "any",
    "that",
    "is",
    "are",
    "in",
    "on",
    "can",
    "you",
    "get",
    "buy",
    "like",
    "would",
    "what",
    "which",
    "do",
    "have",
    "got",
    "there",
    "it",
    "one",
    "ones",
    "good",
    "nice",
    "great",
    "best",
    "gift",
];

/// Query embeddings by text.
pub(super) type Vectors = HashMap<String, Vector>;

/// A search request as the routes and the chat make it.
pub struct SearchRequest<'a> {
    pub query: &'a Query,
    pub limit: usize,
}

/// One result: the product and how it ranked.
pub struct Hit {
    pub entry: Arc<ProductEntry>,
    /// Fused (RRF) score for searches, cosine similarity for similar products.
    pub score: f32,
    /// Cosine similarity to the query, when a vector ranking took part.
    pub similarity: Option<f32>,
    /// 1-based rank in the lexical ranking, when the product matched lexically.
    pub lexical_rank: Option<usize>,
}

impl Assistant {
    /// The best `limit` products for `query`, best first.
    pub async fn search(&self, req: SearchRequest<'_>) -> Result<Vec<Hit>, AssistantError> {
        let started = Instant::now();
        let hits = self.rank(req.query, req.limit, &mut Vectors::new()).await;
        metrics::histogram!("souk_search_seconds", "kind" => "hybrid")
            .record(started.elapsed().as_secs_f64());
        hits
    }

    /// Ranks `query`; `vectors` remembers query embeddings across the
    /// searches of one chat message.
    pub(super) async fn rank(
        &self,
        query: &Query,
        limit: usize,
        vectors: &mut Vectors,
    ) -> Result<Vec<Hit>, AssistantError> {
        let depth = if query.attributes.is_empty() {
            CANDIDATES.max(limit * 4)
        } else {
            CANDIDATES_WITH_ATTRIBUTES
        };
        let text = query.text.trim();
        let lexical = self.lexical(query, depth);
        let (vector, similarity): (Vec<Uuid>, HashMap<Uuid, f32>) = if text.is_empty() {
            (Vec::new(), HashMap::new())
        } else {
            let v = match vectors.get(text) {
                Some(v) => v.clone(),
                None => {
                    let v = self.embed_query(text).await?;
                    vectors.insert(text.to_owned(), v.clone());
                    v
                }
            };
            let found = self.index.search(&v, depth, &query.filter);
            (
                found.iter().map(|(k, _)| *k).collect(),
                found.into_iter().collect(),
            )
        };
        let lexical_ids: Vec<Uuid> = lexical.iter().map(|e| e.product.id.as_uuid()).collect();
        let lexical_rank: HashMap<Uuid, usize> = lexical_ids
            .iter()
            .enumerate()
            .map(|(i, id)| (*id, i + 1))
            .collect();
        let min = self.config.min_similarity;
        let mut hits: Vec<Hit> =
            reciprocal_rank_fusion(&[lexical_ids.as_slice(), vector.as_slice()], RRF_K)
                .into_iter()
                .filter(|(id, _)| {
                    lexical_rank.contains_key(id) || similarity.get(id).is_some_and(|s| *s >= min)
                })
                .filter_map(|(id, score)| {
                    let entry = self.catalog.get_any(ProductId(id))?;
                    let usable = entry.product.status == ProductStatus::Active
                        && query
                            .filter
                            .matches(&item_meta(&entry.product, entry.stock.available()))
                        && has_attributes(&entry, &query.attributes);
                    usable.then(|| Hit {
                        entry,
                        score,
                        similarity: similarity.get(&id).copied(),
                        lexical_rank: lexical_rank.get(&id).copied(),
                    })
                })
                .collect();
        if query.cheap || query.pricier {
            hits.truncate(limit.max(5) * 2);
            hits.sort_by_key(|h| h.entry.product.price.amount());
            if query.pricier {
                hits.reverse();
            }
        }
        hits.truncate(limit);
        Ok(hits)
    }

    /// The catalog's lexical ranking (best-rated first when there is no text).
    fn lexical(&self, query: &Query, depth: usize) -> Vec<Arc<ProductEntry>> {
        let terms: Vec<&str> = query
            .text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty() && !STOP_WORDS.contains(&w.to_lowercase().as_str()))
            .collect();
        let text = (!terms.is_empty()).then(|| terms.join(" "));
        if text.is_none() && !query.text.trim().is_empty() {
            return Vec::new();
        }
        let filter = &query.filter;
        let catalog_query = ProductQuery {
            sort: if text.is_some() {
                Sort::Relevance
            } else {
                Sort::Rating
            },
            text,
            category: filter
                .category
                .as_deref()
                .and_then(|c| CategorySlug::parse(c).ok()),
            min_price: filter.min_price,
            max_price: filter.max_price,
            in_stock: filter.in_stock.then_some(true),
            limit: depth.min(100),
            ..ProductQuery::default()
        };
        self.catalog.search(&catalog_query).items
    }

    /// Up to `limit` active products most similar to product `id`, most
    /// similar first; `None` when `id` is not an active product.
    pub async fn similar(
        &self,
        id: ProductId,
        limit: usize,
    ) -> Result<Option<Vec<Hit>>, AssistantError> {
        let started = Instant::now();
        let Some(entry) = self.catalog.get(id, None) else {
            return Ok(None);
        };
        let stored = self.store.get_product_vector(id).await?;
        let vector = match stored.and_then(|v| Vector::from_bytes(&v.vector).ok()) {
            Some(vector) => vector,
            None => self.embed_query(&product_text(&entry.product)).await?,
        };
        let hits = self
            .index
            .search(&vector, limit + 1, &Filter::default())
            .into_iter()
            .filter(|(key, _)| *key != id.as_uuid())
            .filter_map(|(key, score)| {
                let entry = self.catalog.get(ProductId(key), None)?;
                Some(Hit {
                    entry,
                    score,
                    similarity: Some(score),
                    lexical_rank: None,
                })
            })
            .take(limit)
            .collect();
        metrics::histogram!("souk_search_seconds", "kind" => "similar")
            .record(started.elapsed().as_secs_f64());
        Ok(Some(hits))
    }
}
