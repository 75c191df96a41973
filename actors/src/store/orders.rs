//! Orders, event-sourced: an immutable header and an append-only timeline.

use souk_models::{Order, OrderId, TimelineEntry, Timestamp, UserId};

use super::{OutboxMail, StoreError};

#[async_trait::async_trait]
pub trait OrderStore: Send + Sync {
    /// Stores a new order with its first timeline entries; `Conflict` if its id
    /// exists. A checkout ticket with the same id (a ticket's order takes the
    /// ticket's id) is completed in the same write, and the buyer's cart (the
    /// order was made from it) emptied, so placing an order, recording its
    /// ticket's outcome and clearing the cart cost one durable write.
    /// `mail` (what placing it sends) is stored in that write, and only if
    /// the order is.
    async fn create_order(&self, order: &Order, mail: &[OutboxMail]) -> Result<(), StoreError>;
    /// Appends one entry. `Conflict` unless `entry.seq` is exactly one past the
    /// last stored entry, so two writers can never both extend one timeline.
    /// `mail` (what the entry sends) is stored with it, and only if it is.
    async fn append_order_entry(
        &self,
        order: OrderId,
        entry: &TimelineEntry,
        mail: &[OutboxMail],
    ) -> Result<(), StoreError>;
    /// The order with its whole timeline.
    async fn get_order(&self, id: OrderId) -> Result<Option<Order>, StoreError>;
    /// A buyer's orders, newest first, older than `before`.
    async fn list_buyer_orders(
        &self,
        buyer: UserId,
        before: Option<OrderId>,
        limit: usize,
    ) -> Result<Vec<Order>, StoreError>;
    /// Orders with a line sold by `seller`, newest first, older than `before`.
    async fn list_seller_orders(
        &self,
        seller: UserId,
        before: Option<OrderId>,
        limit: usize,
    ) -> Result<Vec<Order>, StoreError>;
    /// Every order, newest first, older than `before` (what admins search).
    async fn list_orders(
        &self,
        before: Option<OrderId>,
        limit: usize,
    ) -> Result<Vec<Order>, StoreError>;
    /// Orders still awaiting payment, with their deadlines, for re-arming the
    /// expiry timers at start-up.
    async fn list_unpaid_orders(&self) -> Result<Vec<(OrderId, Timestamp)>, StoreError>;
}
