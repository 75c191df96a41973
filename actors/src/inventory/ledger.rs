//! The stock arithmetic of one inventory shard, free of I/O: plans changes
//! against the current levels and applies them once they are durable.

use std::collections::{BTreeSet, HashMap};

use souk_models::{OrderId, ProductId, StockCount, StockLevel, Timestamp};

use super::{InventoryError, Settlement};
use crate::store::{Hold, InventoryChange, Sale};

#[derive(Debug, Default)]
pub(crate) struct Ledger {
    pub(crate) levels: HashMap<ProductId, StockLevel>,
    /// Unpaid holds, by order. Sales of paid orders stay in the store and are
    /// read when an order needs them.
    pub(crate) holds: HashMap<OrderId, Vec<Hold>>,
    /// When each order's holds expire, soonest first.
    expiries: BTreeSet<(Timestamp, OrderId)>,
    /// How many holds there are; kept by `apply` so reading it is O(1).
    count: usize,
}

impl Ledger {
    pub(crate) fn level(&self, product: ProductId) -> StockLevel {
        self.levels.get(&product).copied().unwrap_or_default()
    }

    /// Unpaid holds.
    pub(crate) fn holds_count(&self) -> usize {
        self.count
    }

    /// Holds `lines` for `order`, all or nothing. `Ok(None)` when the order already
    /// holds stock here (a retry), so reserving twice never takes twice.
    pub(crate) fn plan_reserve(
        &self,
        order: OrderId,
        lines: &[(ProductId, u32)],
        expires_at: Timestamp,
    ) -> Result<Option<InventoryChange>, InventoryError> {
        if self.holds.contains_key(&order) {
            return Ok(None);
        }
        let mut wanted: HashMap<ProductId, u64> = HashMap::new();
        for (product, quantity) in lines {
            *wanted.entry(*product).or_default() += u64::from(*quantity);
        }
        let mut change = InventoryChange::default();
        for (product, quantity) in wanted {
            let level = self.level(product);
            if level.available() < quantity {
                return Err(InventoryError::OutOfStock {
                    product,
                    available: level.available(),
                });
            }
            let quantity = u32::try_from(quantity).map_err(|_| InventoryError::OutOfStock {
                product,
                available: level.available(),
            })?;
            let next = StockLevel {
                reserved: level.reserved + u64::from(quantity),
                ..level
            };
            change.levels.push((product, next));
            change.add_holds.push(Hold {
                order,
                product,
                quantity,
                expires_at,
            });
        }
        Ok(Some(change))
    }

    /// Orders with holds expired by `now`, soonest first.
    pub(crate) fn expired(&self, now: Timestamp) -> Vec<OrderId> {
        let mut orders: Vec<OrderId> = self
            .expiries
            .iter()
            .take_while(|(at, _)| *at <= now)
            .map(|(_, order)| *order)
            .collect();
        orders.dedup();
        orders
    }

    /// Whether `order` holds units past their expiry.
    pub(crate) fn has_expired(&self, order: OrderId, now: Timestamp) -> bool {
        self.holds
            .get(&order)
            .is_some_and(|holds| holds.iter().any(|h| h.expires_at <= now))
    }

    /// What `action` does to `order` here, given the sales recorded for it on
    /// this shard's products (only `Restock` and `Forget` look at them);
    /// `None` when there is nothing to do, which makes every action
    /// idempotent.
    pub(crate) fn plan_settle(
        &self,
        order: OrderId,
        action: Settlement,
        sales: &[Sale],
    ) -> Option<InventoryChange> {
        match action {
            Settlement::Release | Settlement::Commit => {
                self.plan_settle_holds(order, action, |_| true)
            }
            Settlement::Restock | Settlement::Forget => self.plan_settle_sales(action, sales),
        }
    }

    /// Releases or commits the holds of `order` that `keep` selects (e.g. the
    /// ones that have expired).
    pub(crate) fn plan_settle_holds(
        &self,
        order: OrderId,
        action: Settlement,
        keep: impl Fn(&Hold) -> bool,
    ) -> Option<InventoryChange> {
        let holds: Vec<&Hold> = self.holds.get(&order)?.iter().filter(|h| keep(h)).collect();
        if holds.is_empty() {
            return None;
        }
        let mut change = InventoryChange::default();
        for hold in holds {
            let level = self.level(hold.product);
            let quantity = u64::from(hold.quantity);
            let mut next = StockLevel {
                reserved: level.reserved.saturating_sub(quantity),
                ..level
            };
            if action == Settlement::Commit {
                next.sold += quantity;
                change.add_sales.push(Sale {
                    order,
                    product: hold.product,
                    quantity: hold.quantity,
                });
            }
            change.levels.push((hold.product, next));
            change.remove_holds.push((order, hold.product));
        }
        Some(change)
    }

    /// Returns the sold units to stock (`Restock`) or only drops the records
    /// (`Forget`).
    fn plan_settle_sales(&self, action: Settlement, sales: &[Sale]) -> Option<InventoryChange> {
        if sales.is_empty() {
            return None;
        }
        let mut change = InventoryChange::default();
        for sale in sales {
            if action == Settlement::Restock {
                let level = self.level(sale.product);
                let next = StockLevel {
                    sold: level.sold.saturating_sub(u64::from(sale.quantity)),
                    ..level
                };
                change.levels.push((sale.product, next));
            }
            change.remove_sales.push((sale.order, sale.product));
        }
        Some(change)
    }

    /// Sells `lines` to `order` (paid): its holds here become sales, and a
    /// line whose hold was released before the payment came (the shard
    /// lets holds go some time after their deadline) is sold again from
    /// what is available. `sales` are what is sold to it already, so
    /// committing twice changes nothing. `OutOfStock` (and no change) when
    /// a released line can no longer be had.
    pub(crate) fn plan_commit(
        &self,
        order: OrderId,
        lines: &[(ProductId, u32)],
        sales: &[Sale],
    ) -> Result<Option<InventoryChange>, InventoryError> {
        let mut change = self
            .plan_settle_holds(order, Settlement::Commit, |_| true)
            .unwrap_or_default();
        let mut wanted: HashMap<ProductId, u32> = HashMap::new();
        for (product, quantity) in lines {
            *wanted.entry(*product).or_default() += quantity;
        }
        for (product, quantity) in wanted {
            let sold = sales
                .iter()
                .chain(&change.add_sales)
                .any(|s| s.product == product);
            if sold {
                continue;
            }
            let level = self.level(product);
            if level.available() < u64::from(quantity) {
                return Err(InventoryError::OutOfStock {
                    product,
                    available: level.available(),
                });
            }
            let next = StockLevel {
                sold: level.sold + u64::from(quantity),
                ..level
            };
            change.levels.push((product, next));
            change.add_sales.push(Sale {
                order,
                product,
                quantity,
            });
        }
        Ok((change != InventoryChange::default()).then_some(change))
    }

    /// Puts units that came back (a return) on sale again: `sold` drops by
    /// each line. The lines are recorded as sales under the return's `key`,
    /// and `marks` are those already recorded, so a return taken back twice
    /// changes nothing.
    pub(crate) fn plan_take_back(
        &self,
        key: OrderId,
        lines: &[(ProductId, u32)],
        marks: &[Sale],
    ) -> Option<InventoryChange> {
        let mut wanted: HashMap<ProductId, u32> = HashMap::new();
        for (product, quantity) in lines {
            *wanted.entry(*product).or_default() += quantity;
        }
        let mut change = InventoryChange::default();
        for (product, quantity) in wanted {
            if marks.iter().any(|m| m.product == product) {
                continue;
            }
            let level = self.level(product);
            let next = StockLevel {
                sold: level.sold.saturating_sub(u64::from(quantity)),
                ..level
            };
            change.levels.push((product, next));
            change.add_sales.push(Sale {
                order: key,
                product,
                quantity,
            });
        }
        (!change.levels.is_empty()).then_some(change)
    }

    pub(crate) fn plan_set_available(
        &self,
        product: ProductId,
        available: StockCount,
    ) -> InventoryChange {
        InventoryChange {
            levels: vec![(product, self.level(product).with_available(available))],
            ..Default::default()
        }
    }

    /// Applies a change that the store has made durable (sales are the
    /// store's alone).
    pub(crate) fn apply(&mut self, change: &InventoryChange) {
        for (product, level) in &change.levels {
            self.levels.insert(*product, *level);
        }
        for (order, product) in &change.remove_holds {
            if let Some(holds) = self.holds.get_mut(order) {
                let gone: Vec<Timestamp> = holds
                    .iter()
                    .filter(|h| h.product == *product)
                    .map(|h| h.expires_at)
                    .collect();
                holds.retain(|h| h.product != *product);
                self.count -= gone.len();
                for at in gone {
                    if !holds.iter().any(|h| h.expires_at == at) {
                        self.expiries.remove(&(at, *order));
                    }
                }
                if holds.is_empty() {
                    self.holds.remove(order);
                }
            }
        }
        for hold in &change.add_holds {
            self.count += 1;
            self.expiries.insert((hold.expires_at, hold.order));
            self.holds.entry(hold.order).or_default().push(*hold);
        }
    }
}

#[cfg(test)]
mod tests;
