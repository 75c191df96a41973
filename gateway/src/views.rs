//! Response bodies shared by several routes.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::value::RawValue;
use souk_actors::ProductEntry;
use souk_models::{
    CategorySlug, Email, Money, ProductId, ProductStatus, Role, Tier, Timestamp, User, UserId,
};

/// An account as its owner and admins see it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: UserId,
    pub email: Email,
    pub display_name: String,
    pub role: Role,
    pub tier: Tier,
    pub disabled: bool,
    /// Whether the account opened the link mailed to its address.
    pub email_verified: bool,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        Self {
            id: u.id,
            email: u.email.clone(),
            display_name: u.display_name.as_str().to_owned(),
            role: u.role,
            tier: u.tier,
            disabled: u.disabled,
            email_verified: u.email_verified,
            created_at: u.created_at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RatingView {
    /// Average stars, 0 when unreviewed.
    pub average: f64,
    pub count: u32,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StockView {
    pub available: u64,
    pub in_stock: bool,
    /// The product's own low-stock alert level; `null`: the marketplace
    /// default.
    pub low_stock_threshold: Option<u32>,
}

/// A product listing with its live stock.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProductView {
    pub id: ProductId,
    pub seller_id: UserId,
    pub title: String,
    pub description: String,
    pub category: CategorySlug,
    pub attributes: BTreeMap<String, String>,
    pub images: Vec<String>,
    pub price: Money,
    pub status: ProductStatus,
    pub rating: RatingView,
    pub stock: StockView,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<&ProductEntry> for ProductView {
    fn from(e: &ProductEntry) -> Self {
        let p = &e.product;
        Self {
            id: p.id,
            seller_id: p.seller_id,
            title: p.title.as_str().to_owned(),
            description: p.description.as_str().to_owned(),
            category: p.category.clone(),
            attributes: p
                .attributes
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            images: p.images.iter().map(|i| String::from(i.clone())).collect(),
            price: p.price,
            status: p.status,
            rating: RatingView {
                average: (p.rating.average() * 100.0).round() / 100.0,
                count: p.rating.count,
            },
            stock: StockView {
                available: e.stock.available(),
                in_stock: e.stock.available() > 0,
                low_stock_threshold: p.low_stock_threshold.map(|t| t.get()),
            },
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// The API JSON of a catalog entry, rendered once per entry version.
pub fn product_json(entry: &ProductEntry) -> &RawValue {
    entry.rendered.get_or_init(|| {
        let json = serde_json::to_string(&ProductView::from(entry)).unwrap_or_default();
        RawValue::from_string(json).unwrap_or_else(|_| empty_object())
    })
}

fn empty_object() -> Box<RawValue> {
    RawValue::from_string("{}".to_owned()).unwrap_or_else(|_| unreachable!("{{}} is JSON"))
}

/// One page of a list; pass `next_cursor` back as `cursor` for the next page.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Absent on the last page.
    pub next_cursor: Option<String>,
}
