//! A shopper's cart: products and quantities only. Prices are looked up from the
//! catalog on every read, never stored here.

use serde::{Deserialize, Serialize};

use crate::{ProductId, Quantity, Timestamp, UserId};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    pub product_id: ProductId,
    pub quantity: Quantity,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cart {
    pub user_id: UserId,
    pub lines: Vec<CartLine>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: Timestamp,
}

impl Cart {
    /// Most distinct products one cart may hold.
    pub const MAX_LINES: usize = 100;
}
