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
mod tests {
    use time::OffsetDateTime;

    use super::*;

    fn stock(ledger: &mut Ledger, product: ProductId, units: u64) {
        ledger.levels.insert(
            product,
            StockLevel {
                on_hand: units,
                ..Default::default()
            },
        );
    }

    fn invariant(ledger: &Ledger) {
        let recount = ledger.holds.values().flatten().count();
        assert_eq!(ledger.holds_count(), recount, "the running count matches");
        let expiries: BTreeSet<_> = ledger
            .holds
            .values()
            .flatten()
            .map(|h| (h.expires_at, h.order))
            .collect();
        assert_eq!(
            ledger.expiries, expiries,
            "every hold's expiry is scheduled once"
        );
        for (product, level) in &ledger.levels {
            let held: u64 = ledger
                .holds
                .values()
                .flatten()
                .filter(|h| h.product == *product)
                .map(|h| u64::from(h.quantity))
                .sum();
            assert_eq!(level.reserved, held, "reserved equals what holds say");
            assert_eq!(
                level.on_hand,
                level.available() + level.reserved + level.sold
            );
        }
    }

    #[test]
    fn reserve_is_all_or_nothing_and_idempotent() {
        let (a, b) = (ProductId::new(), ProductId::new());
        let mut ledger = Ledger::default();
        stock(&mut ledger, a, 5);
        stock(&mut ledger, b, 1);
        let now = OffsetDateTime::now_utc();
        let order = OrderId::new();
        let too_many = ledger.plan_reserve(order, &[(a, 2), (b, 2)], now);
        assert_eq!(
            too_many,
            Err(InventoryError::OutOfStock {
                product: b,
                available: 1
            })
        );
        // Lines of one product add up.
        let split = ledger.plan_reserve(order, &[(a, 3), (a, 3)], now);
        assert!(matches!(split, Err(InventoryError::OutOfStock { .. })));
        let change = ledger.plan_reserve(order, &[(a, 2), (b, 1)], now);
        let change = change
            .expect("the reservation fits")
            .expect("a change to apply");
        ledger.apply(&change);
        assert_eq!(ledger.level(a).available(), 3);
        assert_eq!(ledger.plan_reserve(order, &[(a, 2), (b, 1)], now), Ok(None));
        invariant(&ledger);
    }

    #[test]
    fn release_and_commit_settle_once() {
        let a = ProductId::new();
        let mut ledger = Ledger::default();
        stock(&mut ledger, a, 10);
        let now = OffsetDateTime::now_utc();
        let (paid, abandoned) = (OrderId::new(), OrderId::new());
        for order in [paid, abandoned] {
            let change = ledger
                .plan_reserve(order, &[(a, 3)], now)
                .expect("the reservation fits")
                .expect("a change to apply");
            ledger.apply(&change);
        }
        let commit = ledger
            .plan_settle(paid, Settlement::Commit, &[])
            .expect("a change to commit");
        ledger.apply(&commit);
        let sales = commit.add_sales.clone();
        assert_eq!(
            sales,
            vec![Sale {
                order: paid,
                product: a,
                quantity: 3
            }]
        );
        let release = ledger
            .plan_settle(abandoned, Settlement::Release, &[])
            .expect("a change to release");
        ledger.apply(&release);
        assert_eq!(ledger.plan_settle(paid, Settlement::Commit, &sales), None);
        assert_eq!(
            ledger.plan_settle(paid, Settlement::Release, &sales),
            None,
            "sold units are not released"
        );
        assert_eq!(
            ledger.plan_settle(abandoned, Settlement::Release, &[]),
            None
        );
        let sold = StockLevel {
            on_hand: 10,
            reserved: 0,
            sold: 3,
        };
        assert_eq!(ledger.level(a), sold);
        invariant(&ledger);
        // A paid order cancelled before shipping returns its units, once.
        let restock = ledger
            .plan_settle(paid, Settlement::Restock, &sales)
            .expect("a change to restock");
        ledger.apply(&restock);
        assert_eq!(restock.remove_sales, vec![(paid, a)]);
        // Once the removal is stored, the order has no sales to return.
        assert_eq!(ledger.plan_settle(paid, Settlement::Restock, &[]), None);
        assert_eq!(
            ledger.level(a),
            StockLevel {
                on_hand: 10,
                reserved: 0,
                sold: 0
            }
        );
        invariant(&ledger);
    }

    #[test]
    fn returned_units_go_back_on_sale_once_per_return() {
        let a = ProductId::new();
        let mut ledger = Ledger::default();
        ledger.levels.insert(
            a,
            StockLevel {
                on_hand: 10,
                reserved: 0,
                sold: 4,
            },
        );
        let key = OrderId::new();
        let change = ledger
            .plan_take_back(key, &[(a, 1), (a, 2)], &[])
            .expect("a change to take back");
        ledger.apply(&change);
        assert_eq!(ledger.level(a).available(), 9, "three units are back");
        assert_eq!(
            change.add_sales,
            vec![Sale {
                order: key,
                product: a,
                quantity: 3
            }]
        );
        // Asked again, the recorded lines say it was done.
        assert_eq!(
            ledger.plan_take_back(key, &[(a, 3)], &change.add_sales),
            None
        );
        invariant(&ledger);
    }

    #[test]
    fn setting_available_keeps_holds() {
        let a = ProductId::new();
        let mut ledger = Ledger::default();
        stock(&mut ledger, a, 4);
        let now = OffsetDateTime::now_utc();
        let change = ledger
            .plan_reserve(OrderId::new(), &[(a, 4)], now)
            .expect("the reservation fits")
            .expect("a change to apply");
        ledger.apply(&change);
        let target = StockCount::new(7).expect("a valid stock count");
        let restock = ledger.plan_set_available(a, target);
        ledger.apply(&restock);
        assert_eq!(ledger.level(a).available(), 7);
        assert_eq!(ledger.level(a).reserved, 4);
        invariant(&ledger);
    }
}
