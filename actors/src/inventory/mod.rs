//! Inventory shards: the only owners of stock. Products are spread over N shards
//! by id; each shard serialises every change to its products, so two buyers can
//! never take the same unit and no lock is needed. A reservation across shards is
//! all or nothing: a refusal in one shard releases what the others took.

mod actor;
mod handle;
mod ledger;
mod preload;
mod publish;
mod remote;
mod supervisor;
#[cfg(test)]
mod tests;
mod writes;

use ractor::RpcReplyPort;
use souk_models::ProductId;

use crate::store::StoreError;
pub use handle::InventoryHandle;
pub use remote::{ShardCall, ShardReply};
pub use supervisor::{InventorySupervisor, StartArgs};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum InventoryError {
    #[error("product {product} has only {available} available")]
    OutOfStock { product: ProductId, available: u64 },
    /// The shard did not answer in time or is restarting; nothing was changed
    /// by this call (a later retry is safe: reservations are idempotent).
    #[error("inventory unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Where a shard answers a request: the actor, or the group commit once the
/// change is durable.
pub(crate) type Reply<T> = RpcReplyPort<Result<T, InventoryError>>;

/// What to do with the stock an order holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Settlement {
    /// Give unpaid holds back (cancelled or expired before payment).
    Release,
    /// Turn unpaid holds into sales (paid).
    Commit,
    /// Return sold units to stock (a paid order cancelled before shipping).
    Restock,
    /// Drop the sales records of a final order; levels are unchanged.
    Forget,
}

/// The shard that owns `product`. UUIDv7 ends in random bits, so products spread
/// evenly.
pub fn shard_of(product: ProductId, shards: usize) -> usize {
    (product.as_uuid().as_u128() % shards.max(1) as u128) as usize
}
