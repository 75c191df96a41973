//! Product list parameters and opaque cursors, shared by the public catalog and
//! the seller's own listing.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde::{Deserialize, Serialize};
use souk_actors::catalog::{Page as CatalogPage, ProductQuery, Sort, SortKey};
use souk_models::{CategorySlug, Money, UserId};

use crate::error::ApiError;
use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::value::RawValue;

use crate::views::{Page, product_json};

pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 100;
const MAX_QUERY_CHARS: usize = 200;

/// Filters, order and page of a product list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Full-text query over title, description, category and attributes;
    /// blank: no text filter.
    #[param(max_length = 200)]
    q: Option<String>,
    #[param(inline)]
    category: Option<CategorySlug>,
    /// Only this seller's products (ignored on `/seller/products`, which
    /// lists the caller's own).
    #[param(value_type = Option<String>, format = Uuid)]
    seller: Option<UserId>,
    /// Inclusive, in minor units of the marketplace currency. A range with
    /// `min_price` above `max_price` matches nothing.
    #[param(minimum = 0, maximum = 100_000_000_000_i64)]
    min_price: Option<i64>,
    /// Inclusive, in minor units of the marketplace currency.
    #[param(minimum = 0, maximum = 100_000_000_000_i64)]
    max_price: Option<i64>,
    in_stock: Option<bool>,
    #[param(inline)]
    sort: Option<Sort>,
    #[param(minimum = 1, maximum = 100, default = 20)]
    limit: Option<u32>,
    /// `next_cursor` from the previous page, with the same filters and
    /// order; any other value is a 400 `invalid_parameter`.
    #[param(min_length = 1, pattern = "^[A-Za-z0-9_-]+$")]
    cursor: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct Cursor {
    /// Fingerprint of the filters the cursor was made for.
    f: u64,
    k: SortKey,
}

impl ListParams {
    /// Checks the parameters and builds the catalog query.
    pub fn into_query(self, seller_view: Option<UserId>) -> Result<(ProductQuery, u64), ApiError> {
        let bad = ApiError::invalid_parameter;
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(bad("limit", "limit must be between 1 and 100"));
        }
        price_bound("min_price", self.min_price)?;
        price_bound("max_price", self.max_price)?;
        if self
            .q
            .as_ref()
            .is_some_and(|q| q.chars().count() > MAX_QUERY_CHARS)
        {
            return Err(bad("q", "q must be at most 200 characters"));
        }
        let text = self
            .q
            .map(|q| q.trim().to_owned())
            .filter(|q| !q.is_empty());
        let sort = self.sort.unwrap_or_default();
        let mut query = ProductQuery {
            text,
            category: self.category,
            seller: seller_view.or(self.seller),
            min_price: self.min_price,
            max_price: self.max_price,
            in_stock: self.in_stock,
            include_archived: seller_view.is_some(),
            sort,
            limit: limit as usize,
            after: None,
        };
        let fingerprint = fingerprint(&query);
        if let Some(cursor) = self.cursor {
            let decoded: Cursor = B64
                .decode(cursor.as_bytes())
                .ok()
                .and_then(|bytes| serde_json::from_slice(&bytes).ok())
                .ok_or_else(|| bad("cursor", "cursor is not one this server issued"))?;
            if decoded.f != fingerprint {
                return Err(bad(
                    "cursor",
                    "cursor belongs to a list with other filters or order",
                ));
            }
            query.after = Some(decoded.k);
        }
        Ok((query, fingerprint))
    }
}

/// A price filter: 0 to the largest price, in minor units.
pub fn price_bound(name: &str, value: Option<i64>) -> Result<(), ApiError> {
    if value.is_some_and(|p| !(0..=Money::MAX_MINOR).contains(&p)) {
        return Err(ApiError::invalid_parameter(
            name,
            &format!("{name} must be between 0 and {}", Money::MAX_MINOR),
        ));
    }
    Ok(())
}

/// Renders a catalog page, with its opaque next cursor, as a `Page<ProductView>`
/// body built from each entry's cached JSON.
pub fn render(page: CatalogPage, fingerprint: u64) -> Response {
    let next_cursor = page.next.map(|k| {
        let bytes = serde_json::to_vec(&Cursor { f: fingerprint, k }).unwrap_or_default();
        B64.encode(bytes)
    });
    let items: Vec<&RawValue> = page.items.iter().map(|e| product_json(e)).collect();
    Json(Page { items, next_cursor }).into_response()
}

/// FNV-1a over the query's filters: stable across restarts, so cursors survive them.
fn fingerprint(q: &ProductQuery) -> u64 {
    let canonical = format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{}",
        q.text,
        q.category,
        q.seller,
        q.min_price,
        q.max_price,
        q.in_stock,
        q.sort,
        q.include_archived
    );
    canonical.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
