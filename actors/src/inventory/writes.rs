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

use souk_models::{OrderId, ProductId, StockLevel};

use super::{InventoryError, Reply};
use crate::store::{InventoryChange, Sale};

/// A caller waiting for the write that holds its change, and what it is told.
pub(crate) enum Waiter {
    /// A reservation.
    Reserved(Reply<()>),
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
            Waiter::Reserved(reply) | Waiter::Settled { reply, .. } => {
                let _ = reply.send(Err(error.clone()));
            }
            Waiter::Level(_, reply) => {
                let _ = reply.send(Err(error.clone()));
            }
            Waiter::Sold(_, reply) => {
                let _ = reply.send(Err(error.clone()));
            }
            Waiter::Expired(order) => {
                // The hold stays in the store; the restarted shard reloads it
                // and releases it on its next tick, so the units are not lost.
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

    /// The sales of `order` once every queued change is durable: `stored`
    /// (what the store held when read) with the queued changes laid over it.
    pub fn sales_of(&self, order: OrderId, mut stored: Vec<Sale>) -> Vec<Sale> {
        let queued = self.in_flight.iter().flatten().chain(&self.waiting);
        for change in queued.map(|q| &q.change) {
            for (o, product) in &change.remove_sales {
                if *o == order {
                    stored.retain(|s| s.product != *product);
                }
            }
            for sale in change.add_sales.iter().filter(|s| s.order == order) {
                stored.retain(|s| s.product != sale.product);
                stored.push(*sale);
            }
        }
        stored
    }

    /// Everything still queued, for failing it.
    pub fn drain(&mut self) -> Vec<Queued> {
        let mut all = self.in_flight.take().unwrap_or_default();
        all.append(&mut self.waiting);
        all
    }
}

/// One change with the effect of `changes` applied in order: the last level of
/// each product, and for each hold and sale whether it ends up written or
/// removed.
pub(crate) fn fold<'a>(changes: impl Iterator<Item = &'a InventoryChange>) -> InventoryChange {
    let mut levels: Vec<(ProductId, StockLevel)> = Vec::new();
    let mut holds = Rows::default();
    let mut sales = Rows::default();
    for change in changes {
        for (product, level) in &change.levels {
            match levels.iter_mut().find(|(p, _)| p == product) {
                Some(slot) => slot.1 = *level,
                None => levels.push((*product, *level)),
            }
        }
        holds.apply(
            &change.remove_holds,
            change.add_holds.iter().map(|h| ((h.order, h.product), *h)),
        );
        sales.apply(
            &change.remove_sales,
            change.add_sales.iter().map(|s| ((s.order, s.product), *s)),
        );
    }
    let (add_holds, remove_holds) = holds.split();
    let (add_sales, remove_sales) = sales.split();
    InventoryChange {
        levels,
        add_holds,
        remove_holds,
        add_sales,
        remove_sales,
    }
}

/// The rows of one kind a run of changes ends with, in the order their keys
/// were first touched: `None` where the last change removed the row.
struct Rows<T> {
    last: HashMap<(OrderId, ProductId), Option<T>>,
    order: Vec<(OrderId, ProductId)>,
}

impl<T> Default for Rows<T> {
    fn default() -> Self {
        Self {
            last: HashMap::new(),
            order: Vec::new(),
        }
    }
}

impl<T: Copy> Rows<T> {
    /// Within one change, removals come before additions (as the store and
    /// the ledger apply them).
    fn apply(
        &mut self,
        removed: &[(OrderId, ProductId)],
        added: impl Iterator<Item = ((OrderId, ProductId), T)>,
    ) {
        let removed = removed.iter().map(|key| (*key, None));
        for (key, row) in removed.chain(added.map(|(key, row)| (key, Some(row)))) {
            if self.last.insert(key, row).is_none() {
                self.order.push(key);
            }
        }
    }

    /// The rows written and the keys removed.
    fn split(mut self) -> (Vec<T>, Vec<(OrderId, ProductId)>) {
        let (mut written, mut removed) = (Vec::new(), Vec::new());
        for key in self.order {
            match self.last.remove(&key).flatten() {
                Some(row) => written.push(row),
                None => removed.push(key),
            }
        }
        (written, removed)
    }
}

#[cfg(test)]
mod tests {
    use time::OffsetDateTime;

    use super::*;
    use crate::store::Hold;

    fn hold(order: OrderId, product: ProductId) -> Hold {
        Hold {
            order,
            product,
            quantity: 1,
            expires_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    fn sale(order: OrderId, product: ProductId) -> Sale {
        Sale {
            order,
            product,
            quantity: 1,
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
            // a reserves, b reserves, a is paid (its hold becomes a sale), b
            // is released, c reserves, a is refunded (its sale removed).
            InventoryChange {
                levels: vec![(p, level(1))],
                add_holds: vec![hold(a, p)],
                ..InventoryChange::default()
            },
            InventoryChange {
                levels: vec![(p, level(2))],
                add_holds: vec![hold(b, p)],
                ..InventoryChange::default()
            },
            InventoryChange {
                levels: vec![(p, level(1))],
                remove_holds: vec![(a, p)],
                add_sales: vec![sale(a, p)],
                ..InventoryChange::default()
            },
            InventoryChange {
                levels: vec![(p, level(0))],
                remove_holds: vec![(b, p)],
                ..InventoryChange::default()
            },
            InventoryChange {
                levels: vec![(p, level(1))],
                add_holds: vec![hold(c, p)],
                ..InventoryChange::default()
            },
        ];
        let folded = fold(changes.iter());
        assert_eq!(folded.levels, vec![(p, level(1))]);
        assert_eq!(folded.add_holds, vec![hold(c, p)]);
        assert_eq!(folded.remove_holds, vec![(a, p), (b, p)]);
        assert_eq!(folded.add_sales, vec![sale(a, p)]);
        assert!(folded.remove_sales.is_empty());
        let refund = InventoryChange {
            remove_sales: vec![(a, p)],
            ..InventoryChange::default()
        };
        let folded = fold(changes.iter().chain([&refund]));
        assert!(folded.add_sales.is_empty());
        assert_eq!(folded.remove_sales, vec![(a, p)]);
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
                add_holds: vec![hold(a, p)],
                ..InventoryChange::default()
            },
        ];
        let folded = fold(changes.iter());
        assert_eq!(folded.add_holds, vec![hold(a, p)]);
        assert!(folded.remove_holds.is_empty());
        assert_eq!(fold([].iter()), InventoryChange::default());
    }

    #[test]
    fn sales_read_while_writes_are_queued_include_them() {
        let (a, other) = (OrderId::new(), OrderId::new());
        let (p, q) = (ProductId::new(), ProductId::new());
        let queued = |change| Queued {
            change,
            before: Vec::new(),
            waiter: Waiter::Settled {
                expired: false,
                reply: reply_port(),
            },
        };
        let mut writes = Writes::default();
        writes.push(queued(InventoryChange {
            add_sales: vec![sale(a, p), sale(other, p)],
            ..InventoryChange::default()
        }));
        let (_, batch) = writes.start().expect("a write to start");
        writes.hold(batch);
        writes.push(queued(InventoryChange {
            remove_sales: vec![(a, q)],
            ..InventoryChange::default()
        }));
        // The store still holds a's earlier sale of q, not yet the one of p.
        let stored = vec![sale(a, q)];
        assert_eq!(writes.sales_of(a, stored), vec![sale(a, p)]);
        assert!(writes.sales_of(OrderId::new(), Vec::new()).is_empty());
    }

    fn reply_port() -> Reply<()> {
        let (tx, _rx) = tokio::sync::oneshot::channel();
        tx.into()
    }
}
