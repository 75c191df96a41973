//! Stock levels, the holds (reservations) orders place on them, and the sales
//! records paid orders leave.

use serde::{Deserialize, Serialize};
use souk_models::{OrderId, ProductId, StockLevel, Timestamp};

use super::StoreError;

/// Units of one product held for one unpaid order until it is paid or
/// released. A hold past `expires_at` is released by its inventory shard, even
/// after a restart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    pub order: OrderId,
    pub product: ProductId,
    pub quantity: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: Timestamp,
}

/// Units of one product sold to one paid order. Kept so a cancellation or
/// refund returns exactly those units, once; forgotten when the order is
/// final. Sales are read per order, when one is needed, so their number does
/// not weigh on start-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Sale {
    pub order: OrderId,
    pub product: ProductId,
    pub quantity: u32,
}

/// One atomic inventory write: new levels, holds placed and removed, sales
/// recorded and removed. Within each kind, removals apply before additions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InventoryChange {
    pub levels: Vec<(ProductId, StockLevel)>,
    pub add_holds: Vec<Hold>,
    pub remove_holds: Vec<(OrderId, ProductId)>,
    pub add_sales: Vec<Sale>,
    pub remove_sales: Vec<(OrderId, ProductId)>,
}

#[async_trait::async_trait]
pub trait InventoryStore: Send + Sync {
    /// Writes the whole change or nothing.
    async fn apply_inventory(&self, change: &InventoryChange) -> Result<(), StoreError>;
    /// Every hold, for re-arming expiries at start-up.
    async fn list_holds(&self) -> Result<Vec<Hold>, StoreError>;
    /// The sales recorded for `order`, on any product.
    async fn order_sales(&self, order: OrderId) -> Result<Vec<Sale>, StoreError>;
}
