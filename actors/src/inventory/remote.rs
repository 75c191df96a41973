//! Calls to inventory shards as they travel between the nodes of a cluster
//! (see [`crate::remote`]).

use serde::{Deserialize, Serialize};
use souk_models::{OrderId, ProductId, StockCount, StockLevel, Timestamp};

use super::{InventoryError, Settlement};

/// One call to one shard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "snake_case")]
pub enum ShardCall {
    Reserve {
        order: OrderId,
        lines: Vec<(ProductId, u32)>,
        #[serde(with = "time::serde::rfc3339")]
        expires_at: Timestamp,
    },
    Settle {
        order: OrderId,
        action: Settlement,
    },
    Sold {
        order: OrderId,
    },
    Commit {
        order: OrderId,
        lines: Vec<(ProductId, u32)>,
    },
    TakeBack {
        key: OrderId,
        lines: Vec<(ProductId, u32)>,
    },
    SetAvailable {
        product: ProductId,
        available: StockCount,
    },
    Level {
        product: ProductId,
    },
}

/// A shard's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "snake_case")]
pub enum ShardReply {
    Done,
    Sold {
        sold: bool,
    },
    Level {
        level: StockLevel,
    },
    OutOfStock {
        product: ProductId,
        available: u64,
    },
    /// Nothing was changed; a retry is safe.
    Unavailable {
        reason: String,
    },
}

impl ShardReply {
    pub(crate) fn from_error(e: InventoryError) -> Self {
        match e {
            InventoryError::OutOfStock { product, available } => {
                Self::OutOfStock { product, available }
            }
            InventoryError::Unavailable(reason) => Self::Unavailable { reason },
            InventoryError::Store(e) => Self::Unavailable {
                reason: e.to_string(),
            },
        }
    }
}
