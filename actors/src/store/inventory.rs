//! Stock levels and the holds (reservations) placed on them by orders.

use serde::{Deserialize, Serialize};
use souk_models::{OrderId, ProductId, StockLevel, Timestamp};

use super::StoreError;

/// Units of one product held for one order until it is paid or released. A
/// hold past `expires_at` is released by its inventory shard, even after a
/// restart. Once paid, the hold stays as a sales record (`sold`), so a
/// cancellation can return exactly those units once; it is forgotten when the
/// order is final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    pub order: OrderId,
    pub product: ProductId,
    pub quantity: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: Timestamp,
    #[serde(default)]
    pub sold: bool,
}

/// One atomic inventory write: new levels, holds placed, holds removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InventoryChange {
    pub levels: Vec<(ProductId, StockLevel)>,
    pub add_holds: Vec<Hold>,
    pub remove_holds: Vec<(OrderId, ProductId)>,
}

#[async_trait::async_trait]
pub trait InventoryStore: Send + Sync {
    /// Writes the whole change or nothing.
    async fn apply_inventory(&self, change: &InventoryChange) -> Result<(), StoreError>;
    /// Every hold, for re-arming expiries at start-up.
    async fn list_holds(&self) -> Result<Vec<Hold>, StoreError>;
}
