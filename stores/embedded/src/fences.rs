//! Fenced writes in the embedded store: the owner's epoch is checked and
//! raised inside the write's own transaction, so the check and the write
//! commit (or are undone) together.

use souk_actors::store::{Fence, StoreError};

use super::tables::FENCES;
use super::tx::Tx;

/// Refuses the write if `fence.owner` has a newer stored epoch; otherwise
/// stores `fence.epoch` as the owner's.
pub(super) fn check(tx: &Tx, fence: &Fence) -> Result<(), StoreError> {
    let mut table = tx.open_table(FENCES)?;
    let stored = table.get(fence.owner.as_str())?.map(|v| v.value());
    match stored {
        Some(stored) if stored > fence.epoch => Err(fence.refused(stored)),
        Some(stored) if stored == fence.epoch => Ok(()),
        _ => table.insert(fence.owner.as_str(), fence.epoch),
    }
}
