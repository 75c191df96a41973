//! Fenced writes: a write of an actor's state can carry its owner's epoch,
//! and a backend refuses it once a newer epoch of that owner has written.
//!
//! In a cluster one node at a time owns an actor (an inventory shard, an
//! order, a checkout lane), granted with an epoch that grows with every new
//! grant. A node that lost ownership without knowing it (a long pause, a
//! partition) may still try to write; the fence makes that write fail
//! instead of overwriting its successor's. The check and the write are one
//! atomic step on every backend but ScyllaDB, where a new owner waits out
//! one request time instead ([`Fencing::fence_settle`]).

use std::sync::Arc;
use std::time::Duration;

/// Who owns some actor state, and the epoch of its grant.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fence {
    /// Names what is owned, e.g. `inventory/3` or `lane/priority`.
    pub owner: String,
    /// Grows with every grant of `owner`.
    pub epoch: u64,
}

impl Fence {
    pub fn new(owner: impl Into<String>, epoch: u64) -> Self {
        Self {
            owner: owner.into(),
            epoch,
        }
    }

    /// The refusal of a write under this fence, with the epoch stored
    /// (counted in `souk_store_fenced_writes_total`).
    pub fn refused(&self, stored: u64) -> super::StoreError {
        let kind = self.owner.split('/').next().unwrap_or("other").to_owned();
        metrics::counter!("souk_store_fenced_writes_total", "owner" => kind).increment(1);
        tracing::warn!(owner = %self.owner, epoch = self.epoch, stored, "a write under an outdated lease was refused");
        super::StoreError::Fenced(format!(
            "{} is owned at epoch {stored}; this write carries epoch {}",
            self.owner, self.epoch
        ))
    }
}

/// Fenced views of a store.
pub trait Fencing: Send + Sync {
    /// This store, with each write it makes first checked against `fence`
    /// in the same atomic step: refused with `StoreError::Fenced` if the
    /// owner's stored epoch is newer, and otherwise raising the stored epoch
    /// to `fence.epoch`. Reads are unchanged.
    fn fenced(&self, fence: Fence) -> Arc<dyn super::Store>;

    /// How long a write that passed its fence check may still take to land
    /// after it: zero where the check and the write are one atomic step.
    /// A new owner waits this long after raising its epoch before it
    /// writes, so that nothing of an older owner lands after its writes.
    fn fence_settle(&self) -> Duration {
        Duration::ZERO
    }
}
