//! Product queries: filters, sort orders and keyset pagination.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};
use souk_models::{CategorySlug, ProductId, ProductStatus, UserId};

use std::sync::Arc;

use super::{Catalog, ProductEntry};

/// How results are ordered.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Best text match first; without a text query, the same as `newest`.
    #[default]
    Relevance,
    PriceAsc,
    PriceDesc,
    Newest,
    /// Highest average stars first, more reviews breaking ties.
    Rating,
}

/// A position in a result list: results strictly after it come next. Keys are
/// normalised so that ascending order is the requested order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SortKey {
    pub primary: i64,
    pub secondary: i64,
    pub id: ProductId,
}

impl PartialOrd for SortKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SortKey {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.primary, self.secondary, self.id).cmp(&(other.primary, other.secondary, other.id))
    }
}

/// Which products to return. Built by the gateway from validated parameters.
#[derive(Debug, Clone, Default)]
pub struct ProductQuery {
    pub text: Option<String>,
    pub category: Option<CategorySlug>,
    pub seller: Option<UserId>,
    /// Inclusive bounds in minor units of the marketplace currency.
    pub min_price: Option<i64>,
    pub max_price: Option<i64>,
    pub in_stock: Option<bool>,
    /// Archived products are listed only for their seller's own view.
    pub include_archived: bool,
    pub sort: Sort,
    pub limit: usize,
    pub after: Option<SortKey>,
}

/// One page of results; `next` is where the following page starts.
pub struct Page {
    pub items: Vec<Arc<ProductEntry>>,
    pub next: Option<SortKey>,
}

impl Catalog {
    /// One page of products matching `query`.
    pub fn search(&self, query: &ProductQuery) -> Page {
        let state = self.read();
        let limit = query.limit.clamp(1, 100);
        let mut hits: Vec<(SortKey, &Arc<ProductEntry>)> = match &query.text {
            Some(text) => state
                .text
                .search(text)
                .into_iter()
                .filter_map(|(id, score)| state.products.get(&id).map(|e| (e, score)))
                .filter(|(e, _)| query.matches(e))
                .map(|(e, score)| (query.key(e, score), e))
                .collect(),
            None => state
                .products
                .values()
                .filter(|e| query.matches(e))
                .map(|e| (query.key(e, 0.0), e))
                .collect(),
        };
        if let Some(after) = query.after {
            hits.retain(|(key, _)| *key > after);
        }
        if hits.len() > limit + 1 {
            hits.select_nth_unstable_by(limit, |a, b| a.0.cmp(&b.0));
            hits.truncate(limit + 1);
        }
        hits.sort_unstable_by_key(|(key, _)| *key);
        let next = if hits.len() > limit {
            hits.truncate(limit);
            hits.last().map(|(key, _)| *key)
        } else {
            None
        };
        Page {
            items: hits.into_iter().map(|(_, e)| e.clone()).collect(),
            next,
        }
    }
}

impl ProductQuery {
    pub(crate) fn matches(&self, entry: &ProductEntry) -> bool {
        let p = &entry.product;
        (self.include_archived || p.status == ProductStatus::Active)
            && self.category.as_ref().is_none_or(|c| *c == p.category)
            && self.seller.is_none_or(|s| s == p.seller_id)
            && self.min_price.is_none_or(|m| p.price.amount() >= m)
            && self.max_price.is_none_or(|m| p.price.amount() <= m)
            && self
                .in_stock
                .is_none_or(|want| (entry.stock.available() > 0) == want)
    }

    /// The sort key of `entry` under this query; `score` is its text relevance.
    pub(crate) fn key(&self, entry: &ProductEntry, score: f64) -> SortKey {
        let p = &entry.product;
        let newest = -(p.created_at.unix_timestamp_nanos() / 1000) as i64;
        let (primary, secondary) = match (self.sort, self.text.is_some()) {
            (Sort::Relevance, true) => (-(score * 1e6) as i64, newest),
            (Sort::Relevance, false) | (Sort::Newest, _) => (newest, 0),
            (Sort::PriceAsc, _) => (p.price.amount(), newest),
            (Sort::PriceDesc, _) => (-p.price.amount(), newest),
            (Sort::Rating, _) => (
                -(p.rating.average() * 1e6) as i64,
                -i64::from(p.rating.count),
            ),
        };
        SortKey {
            primary,
            secondary,
            id: p.id,
        }
    }
}
