//! Table layout of the embedded store and the encoding of its values (JSON).
//! Each table is one fjall keyspace, named as in [`NAMES`].

use serde::Serialize;
use serde::de::DeserializeOwned;
use souk_actors::store::StoreError;
use uuid::Uuid;

use super::codec::TableDef;

/// user id → user.
pub const USERS: TableDef<u128, &[u8]> = TableDef::new(0);
/// lower-case email → user id; the uniqueness rule for emails.
pub const USERS_BY_EMAIL: TableDef<&str, u128> = TableDef::new(1);
/// (user id, address id) → address.
pub const ADDRESSES: TableDef<(u128, u128), &[u8]> = TableDef::new(2);
/// token hash → refresh token.
pub const REFRESH_TOKENS: TableDef<&str, &[u8]> = TableDef::new(3);
/// revoked token family → unix seconds of revocation.
pub const REVOKED_FAMILIES: TableDef<u128, i64> = TableDef::new(4);
/// slug → category.
pub const CATEGORIES: TableDef<&str, &[u8]> = TableDef::new(5);
/// product id → product.
pub const PRODUCTS: TableDef<u128, &[u8]> = TableDef::new(6);
/// product id → stock level.
pub const STOCK: TableDef<u128, &[u8]> = TableDef::new(7);
/// (order id, product id) → an unpaid order's hold on that product's stock.
pub const HOLDS: TableDef<(u128, u128), &[u8]> = TableDef::new(8);
/// user id → cart.
pub const CARTS: TableDef<u128, &[u8]> = TableDef::new(9);
/// order id → order header (its timeline is in `ORDER_ENTRIES`).
pub const ORDERS: TableDef<u128, &[u8]> = TableDef::new(10);
/// (order id, seq) → timeline entry.
pub const ORDER_ENTRIES: TableDef<(u128, u64), &[u8]> = TableDef::new(11);
/// (buyer id, order id): a buyer's orders in creation order.
pub const BUYER_ORDERS: TableDef<(u128, u128), ()> = TableDef::new(12);
/// (seller id, order id): orders with a line of the seller's.
pub const SELLER_ORDERS: TableDef<(u128, u128), ()> = TableDef::new(13);
/// order id → payment deadline (unix ns), while awaiting payment.
pub const UNPAID_ORDERS: TableDef<u128, i128> = TableDef::new(14);
/// ticket id → checkout ticket.
pub const TICKETS: TableDef<u128, &[u8]> = TableDef::new(15);
/// "user:idempotency key" → ticket id; one ticket per key.
pub const TICKET_KEYS: TableDef<&str, u128> = TableDef::new(16);
/// ticket ids still queued, in arrival order.
pub const QUEUED_TICKETS: TableDef<u128, ()> = TableDef::new(17);
/// product id → its sentence vector and the hash of the text embedded.
pub const PRODUCT_VECTORS: TableDef<u128, &[u8]> = TableDef::new(18);
/// setting → value.
pub const META: TableDef<&str, &[u8]> = TableDef::new(19);
/// (order id, product id) → units sold to that paid order.
pub const SALES: TableDef<(u128, u128), u64> = TableDef::new(20);

/// owner → the epoch of its latest fenced write (see `souk_actors::store::Fence`).
pub const FENCES: TableDef<&str, u64> = TableDef::new(21);

/// mail id → outbox message.
pub const OUTBOX: TableDef<u128, &[u8]> = TableDef::new(22);
/// (when due, unix ns; mail id): the messages still to send or look at.
pub const OUTBOX_DUE: TableDef<(u64, u128), ()> = TableDef::new(23);
/// token hash → single-use account token (email verification, password reset).
pub const ACCOUNT_TOKENS: TableDef<&str, &[u8]> = TableDef::new(24);
/// (user id, notification id) → a kept notification.
pub const NOTIFICATIONS: TableDef<(u128, u128), &[u8]> = TableDef::new(25);
/// (when made, unix ns; notification id) → its user id: the purge's order.
pub const NOTIFICATIONS_BY_TIME: TableDef<(u64, u128), u128> = TableDef::new(26);

/// Number of tables.
pub const TABLES: u8 = 27;

/// Each table's keyspace name, by table number. A table's number never
/// changes: new tables go at the end.
pub const NAMES: [&str; TABLES as usize] = [
    "users",
    "users_by_email",
    "addresses",
    "refresh_tokens",
    "revoked_families",
    "categories",
    "products",
    "stock",
    "holds",
    "carts",
    "orders",
    "order_entries",
    "buyer_orders",
    "seller_orders",
    "unpaid_orders",
    "tickets",
    "ticket_keys",
    "queued_tickets",
    "product_vectors",
    "meta",
    "sales",
    "fences",
    "outbox",
    "outbox_due",
    "account_tokens",
    "notifications",
    "notifications_by_time",
];

/// Any failure of the engine: nothing was written.
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

pub fn decode_str(bytes: &[u8]) -> Result<String, StoreError> {
    String::from_utf8(bytes.to_vec()).map_err(|e| StoreError::Corrupt(e.to_string()))
}
