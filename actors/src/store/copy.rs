//! Copying a whole store into another (`souk store copy`): every record of
//! each kind, page by page in key order, and imports that replace by key, so
//! a copy interrupted anywhere can resume from the last page it wrote.

use serde::{Deserialize, Serialize};
use souk_models::{Address, Cart, Category, Order, Product, ProductId, StockLevel, Ticket, User};
use uuid::Uuid;

use super::{Hold, ProductVector, RefreshToken, Sale, StoreError};

/// The kinds of record, in the order a copy moves them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Users,
    Addresses,
    RefreshTokens,
    RevokedFamilies,
    Categories,
    Products,
    Stock,
    Holds,
    Sales,
    Carts,
    Orders,
    Tickets,
    Meta,
    ProductVectors,
    Fences,
}

impl Kind {
    pub const ALL: [Kind; 15] = [
        Kind::Users,
        Kind::Addresses,
        Kind::RefreshTokens,
        Kind::RevokedFamilies,
        Kind::Categories,
        Kind::Products,
        Kind::Stock,
        Kind::Holds,
        Kind::Sales,
        Kind::Carts,
        Kind::Orders,
        Kind::Tickets,
        Kind::Meta,
        Kind::ProductVectors,
        Kind::Fences,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Users => "users",
            Kind::Addresses => "addresses",
            Kind::RefreshTokens => "refresh tokens",
            Kind::RevokedFamilies => "revoked token families",
            Kind::Categories => "categories",
            Kind::Products => "products",
            Kind::Stock => "stock levels",
            Kind::Holds => "holds",
            Kind::Sales => "sales",
            Kind::Carts => "carts",
            Kind::Orders => "orders",
            Kind::Tickets => "checkout tickets",
            Kind::Meta => "settings",
            Kind::ProductVectors => "product vectors",
            Kind::Fences => "fences",
        }
    }
}

/// One stored record, as a copy moves it. Its JSON form is what a copy's
/// checksums hash.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Record {
    User(User),
    Address(Address),
    RefreshToken(RefreshToken),
    /// A revoked token family and when it was revoked (unix seconds).
    RevokedFamily(Uuid, i64),
    Category(Category),
    Product(Product),
    Stock(ProductId, StockLevel),
    Hold(Hold),
    Sale(Sale),
    Cart(Cart),
    /// An order with its whole timeline.
    Order(Order),
    Ticket(Ticket),
    Meta(String, String),
    ProductVector(ProductId, ProductVector),
    /// An owner and the epoch of its latest fenced write.
    Fence(String, u64),
}

fn hex(id: Uuid) -> String {
    id.simple().to_string()
}

impl Record {
    pub fn kind(&self) -> Kind {
        match self {
            Record::User(_) => Kind::Users,
            Record::Address(_) => Kind::Addresses,
            Record::RefreshToken(_) => Kind::RefreshTokens,
            Record::RevokedFamily(..) => Kind::RevokedFamilies,
            Record::Category(_) => Kind::Categories,
            Record::Product(_) => Kind::Products,
            Record::Stock(..) => Kind::Stock,
            Record::Hold(_) => Kind::Holds,
            Record::Sale(_) => Kind::Sales,
            Record::Cart(_) => Kind::Carts,
            Record::Order(_) => Kind::Orders,
            Record::Ticket(_) => Kind::Tickets,
            Record::Meta(..) => Kind::Meta,
            Record::ProductVector(..) => Kind::ProductVectors,
            Record::Fence(..) => Kind::Fences,
        }
    }

    /// The record's key as text that sorts as the stores order keys: ids as
    /// 32 hex digits (a pair's two side by side), names as they are
    /// (compared byte by byte).
    pub fn key(&self) -> String {
        match self {
            Record::User(u) => hex(u.id.0),
            Record::Address(a) => format!("{}{}", hex(a.user_id.0), hex(a.id.0)),
            Record::RefreshToken(t) => t.hash.clone(),
            Record::RevokedFamily(family, _) => hex(*family),
            Record::Category(c) => c.slug.as_str().to_owned(),
            Record::Product(p) => hex(p.id.0),
            Record::Stock(id, _) | Record::ProductVector(id, _) => hex(id.0),
            Record::Hold(h) => format!("{}{}", hex(h.order.0), hex(h.product.0)),
            Record::Sale(s) => format!("{}{}", hex(s.order.0), hex(s.product.0)),
            Record::Cart(c) => hex(c.user_id.0),
            Record::Order(o) => hex(o.id.0),
            Record::Ticket(t) => hex(t.id),
            Record::Meta(key, _) | Record::Fence(key, _) => key.clone(),
        }
    }
}

impl Record {
    /// A setting a store keeps about itself (its layout, a copy in progress
    /// into it), not part of the marketplace: a copy neither moves nor
    /// compares these.
    pub fn is_own_setting(&self) -> bool {
        matches!(self, Record::Meta(key, _) if key.starts_with("copy.") || key.starts_with("layout."))
    }
}

/// A key cursor of an id kind, back as the id.
pub fn id_key(key: &str) -> Result<Uuid, StoreError> {
    Uuid::try_parse(key).map_err(|_| StoreError::Conflict(format!("`{key}` is not an id key")))
}

/// A key cursor of a pair kind, back as the two ids.
pub fn pair_key(key: &str) -> Result<(Uuid, Uuid), StoreError> {
    let bad = || StoreError::Conflict(format!("`{key}` is not a pair of ids"));
    let (a, b) = key.split_at_checked(32).ok_or_else(bad)?;
    Ok((
        Uuid::try_parse(a).map_err(|_| bad())?,
        Uuid::try_parse(b).map_err(|_| bad())?,
    ))
}

/// Reading out and writing in whole stores.
#[async_trait::async_trait]
pub trait CopyStore: Send + Sync {
    /// Up to `limit` records of `kind` that follow `after` (the key of the
    /// last record of the previous page; from the first if `None`) in the
    /// backend's order: key order on the embedded store and PostgreSQL,
    /// partition-token order on ScyllaDB. Paging to the end yields every
    /// record once.
    async fn export(
        &self,
        kind: Kind,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Record>, StoreError>;

    /// Writes `records` in one durable batch with every index they belong
    /// to, each replacing a record with the same key.
    async fn import(&self, records: &[Record]) -> Result<(), StoreError>;

    /// How many records of `kind` there are (for progress; it may read the
    /// whole table).
    async fn count(&self, kind: Kind) -> Result<u64, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_as_the_ids_they_name() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        assert!(a < b);
        assert!(hex(a) < hex(b));
        assert_eq!(id_key(&hex(a)).ok(), Some(a));
        let pair = format!("{}{}", hex(a), hex(b));
        assert_eq!(pair_key(&pair).ok(), Some((a, b)));
        assert!(pair_key("abc").is_err());
        assert!(id_key("not-an-id").is_err());
    }
}
