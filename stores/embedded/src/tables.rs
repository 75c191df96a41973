//! Table layout of the embedded store and the encoding of its values (JSON).

use redb::TableDefinition;
use serde::Serialize;
use serde::de::DeserializeOwned;
use souk_actors::store::StoreError;
use uuid::Uuid;

/// user id → user.
pub const USERS: TableDefinition<u128, &[u8]> = TableDefinition::new("users");
/// lower-case email → user id; the uniqueness rule for emails.
pub const USERS_BY_EMAIL: TableDefinition<&str, u128> = TableDefinition::new("users_by_email");
/// (user id, address id) → address.
pub const ADDRESSES: TableDefinition<(u128, u128), &[u8]> = TableDefinition::new("addresses");
/// token hash → refresh token.
pub const REFRESH_TOKENS: TableDefinition<&str, &[u8]> = TableDefinition::new("refresh_tokens");
/// revoked token family → unix seconds of revocation.
pub const REVOKED_FAMILIES: TableDefinition<u128, i64> = TableDefinition::new("revoked_families");
/// slug → category.
pub const CATEGORIES: TableDefinition<&str, &[u8]> = TableDefinition::new("categories");
/// product id → product.
pub const PRODUCTS: TableDefinition<u128, &[u8]> = TableDefinition::new("products");
/// product id → stock level.
pub const STOCK: TableDefinition<u128, &[u8]> = TableDefinition::new("stock");
/// (order id, product id) → hold on that product's stock.
pub const HOLDS: TableDefinition<(u128, u128), &[u8]> = TableDefinition::new("holds");
/// user id → cart.
pub const CARTS: TableDefinition<u128, &[u8]> = TableDefinition::new("carts");
/// order id → order header (its timeline is in `ORDER_ENTRIES`).
pub const ORDERS: TableDefinition<u128, &[u8]> = TableDefinition::new("orders");
/// (order id, seq) → timeline entry.
pub const ORDER_ENTRIES: TableDefinition<(u128, u64), &[u8]> =
    TableDefinition::new("order_entries");
/// (buyer id, order id): a buyer's orders in creation order.
pub const BUYER_ORDERS: TableDefinition<(u128, u128), ()> = TableDefinition::new("buyer_orders");
/// (seller id, order id): orders with a line of the seller's.
pub const SELLER_ORDERS: TableDefinition<(u128, u128), ()> = TableDefinition::new("seller_orders");
/// order id → payment deadline (unix ns), while awaiting payment.
pub const UNPAID_ORDERS: TableDefinition<u128, i128> = TableDefinition::new("unpaid_orders");
/// ticket id → checkout ticket.
pub const TICKETS: TableDefinition<u128, &[u8]> = TableDefinition::new("tickets");
/// "user:idempotency key" → ticket id; one ticket per key.
pub const TICKET_KEYS: TableDefinition<&str, u128> = TableDefinition::new("ticket_keys");
/// ticket ids still queued, in arrival order.
pub const QUEUED_TICKETS: TableDefinition<u128, ()> = TableDefinition::new("queued_tickets");
/// product id → its sentence vector and the hash of the text embedded.
pub const PRODUCT_VECTORS: TableDefinition<u128, &[u8]> = TableDefinition::new("product_vectors");
/// setting → value.
pub const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");

/// Any redb failure: nothing was written.
pub fn io(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

pub fn key(id: Uuid) -> u128 {
    id.as_u128()
}

pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(|e| StoreError::Corrupt(format!("encode: {e}")))
}

pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Decodes every value a scan yields, in key order.
pub fn decode_values<K: redb::Key + 'static, T: DeserializeOwned>(
    rows: super::read_table::Range<K, &'static [u8]>,
) -> Result<Vec<T>, StoreError> {
    rows.map(|row| decode(row?.1.value())).collect()
}

pub fn decode_str(bytes: &[u8]) -> Result<String, StoreError> {
    String::from_utf8(bytes.to_vec()).map_err(|e| StoreError::Corrupt(e.to_string()))
}
