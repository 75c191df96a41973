//! A shard's group commit: one store write in flight at a time, and every
//! change planned meanwhile folded into the next one.
//!
//! A shard plans each change against its ledger with the changes still being
//! written already applied, so a unit taken by a pending reservation is never
//! offered again. Callers are answered only once the write holding their
//! change is durable, in order. Writes from a shard never overlap, so the store
//! sees them in the order they were planned, whatever the backend. If a write
//! fails, its callers and every caller queued behind it get the error, and the
//! shard restarts to reload what is really stored.

use std::collections::HashMap;

use souk_models::{OrderId, ProductId, StockLevel, Timestamp};

use super::{InventoryError, Reply};
use crate::store::{Hold, InventoryChange};

/// A caller waiting for the write that holds its change, and what it is told.
pub(crate) enum Waiter {
    /// A reservation; `expires_at` is set when it placed new holds, whose
    /// expiry is armed once they are durable.
    Reserved {
        order: OrderId,
        expires_at: Option<Timestamp>,
        reply: Reply<()>,
    },
    /// A settlement; `expired` counts a lapsed reservation released.
    Settled {
        expired: bool,
        reply: Reply<()>,
    },
    Level(StockLevel, Reply<StockLevel>),
    Sold(bool, Reply<bool>),
    /// A hold's expiry, released by the shard itself.
    Expired(OrderId),
}

impl Waiter {
    /// Tells the caller its change failed (or that what it read may not last).
    pub fn fail(self, error: &InventoryError) {
        match self {
            Waiter::Reserved { reply, .. } | Waiter::Settled { reply, .. } => {
                let _ = reply.send(Err(error.clone()));
            }
            Waiter::Level(_, reply) => {
                let _ = reply.send(Err(error.clone()));
            }
            Waiter::Sold(_, reply) => {
                let _ = reply.send(Err(error.clone()));
            }
            Waiter::Expired(order) => {
                // The hold stays in the store; its timer is re-armed at the
                // next start, so the units are not lost.
                tracing::warn!(%order, error = %error, "could not release an expired hold");
            }
        }
    }
}

/// A change planned and applied to the ledger, not yet durable.
pub(crate) struct Queued {
    pub change: InventoryChange,
    /// The levels of the products it changes, before it.
    pub before: Vec<(ProductId, StockLevel)>,
    pub waiter: Waiter,
}

/// The shard's write in flight and the changes queued behind it.
#[derive(Default)]
pub(crate) struct Writes {
    in_flight: Option<Vec<Queued>>,
    waiting: Vec<Queued>,
}

impl Writes {
    pub fn push(&mut self, queued: Queued) {
        self.waiting.push(queued);
    }

    /// When no write is in flight, takes what is queued as the next write:
    /// the changes folded into one, and the callers it answers. An empty
    /// change needs no write; its callers can be answered at once.
    pub fn start(&mut self) -> Option<(InventoryChange, Vec<Queued>)> {
        if self.in_flight.is_some() || self.waiting.is_empty() {
            return None;
        }
        let batch = std::mem::take(&mut self.waiting);
        let change = fold(batch.iter().map(|q| &q.change));
        Some((change, batch))
    }

    /// Keeps the callers of the write just started until it finishes.
    pub fn hold(&mut self, batch: Vec<Queued>) {
        self.in_flight = Some(batch);
    }

    /// The callers of the write that just finished.
    pub fn finish(&mut self) -> Vec<Queued> {
        self.in_flight.take().unwrap_or_default()
    }

    /// Everything still queued, for failing it.
    pub fn drain(&mut self) -> Vec<Queued> {
        let mut all = self.in_flight.take().unwrap_or_default();
        all.append(&mut self.waiting);
        all
    }
}

/// One change with the effect of `changes` applied in order: the last level of
/// each product, and for each hold whether it ends up written or removed.
pub(crate) fn fold<'a>(changes: impl Iterator<Item = &'a InventoryChange>) -> InventoryChange {
    let mut levels: Vec<(ProductId, StockLevel)> = Vec::new();
    let mut holds: HashMap<(OrderId, ProductId), Option<Hold>> = HashMap::new();
    let mut order: Vec<(OrderId, ProductId)> = Vec::new();
    for change in changes {
        for (product, level) in &change.levels {
            match levels.iter_mut().find(|(p, _)| p == product) {
                Some(slot) => slot.1 = *level,
                None => levels.push((*product, *level)),
            }
        }
        // Within one change, removals come before additions (as the store and
        // the ledger apply them).
        for key in &change.remove_holds {
            if holds.insert(*key, None).is_none() {
                order.push(*key);
            }
        }
        for hold in &change.add_holds {
            let key = (hold.order, hold.product);
            if holds.insert(key, Some(*hold)).is_none() {
                order.push(key);
            }
        }
    }
    let mut folded = InventoryChange {
        levels,
        ..InventoryChange::default()
    };
    for key in order {
        match holds.remove(&key).flatten() {
            Some(hold) => {
                // A hold rewritten (e.g. marked sold) replaces the stored row.
                folded.add_holds.push(hold);
            }
            None => folded.remove_holds.push(key),
        }
    }
    folded
}

#[cfg(test)]
mod tests {
    use time::OffsetDateTime;

    use super::*;

    fn hold(order: OrderId, product: ProductId, sold: bool) -> Hold {
        Hold {
            order,
            product,
            quantity: 1,
            expires_at: OffsetDateTime::UNIX_EPOCH,
            sold,
        }
    }

    fn level(reserved: u64) -> StockLevel {
        StockLevel {
            on_hand: 10,
            reserved,
            ..StockLevel::default()
        }
    }

    #[test]
    fn folded_changes_end_where_the_changes_in_turn_would() {
        let (a, b, c) = (OrderId::new(), OrderId::new(), OrderId::new());
        let p = ProductId::new();
        let changes = [
            // a reserves, b reserves, a is committed (its hold rewritten as
            // sold), b is released, c reserves.
            InventoryChange {
                levels: vec![(p, level(1))],
                add_holds: vec![hold(a, p, false)],
                ..InventoryChange::default()
            },
            InventoryChange {
                levels: vec![(p, level(2))],
                add_holds: vec![hold(b, p, false)],
                ..InventoryChange::default()
            },
            InventoryChange {
                levels: vec![(p, level(1))],
                remove_holds: vec![(a, p)],
                add_holds: vec![hold(a, p, true)],
            },
            InventoryChange {
                levels: vec![(p, level(0))],
                remove_holds: vec![(b, p)],
                ..InventoryChange::default()
            },
            InventoryChange {
                levels: vec![(p, level(1))],
                add_holds: vec![hold(c, p, false)],
                ..InventoryChange::default()
            },
        ];
        let folded = fold(changes.iter());
        assert_eq!(folded.levels, vec![(p, level(1))]);
        assert_eq!(folded.add_holds, vec![hold(a, p, true), hold(c, p, false)]);
        assert_eq!(folded.remove_holds, vec![(b, p)]);
    }

    #[test]
    fn a_hold_removed_then_placed_again_is_written() {
        let (a, p) = (OrderId::new(), ProductId::new());
        let changes = [
            InventoryChange {
                remove_holds: vec![(a, p)],
                ..InventoryChange::default()
            },
            InventoryChange {
                add_holds: vec![hold(a, p, false)],
                ..InventoryChange::default()
            },
        ];
        let folded = fold(changes.iter());
        assert_eq!(folded.add_holds, vec![hold(a, p, false)]);
        assert!(folded.remove_holds.is_empty());
        assert_eq!(fold([].iter()), InventoryChange::default());
    }
}
