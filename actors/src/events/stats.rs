//! Running totals behind the admin feed's once-a-second summary.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use souk_models::{Money, OrderLine, ProductId};

/// Totals since start; the summary publishes their rate of change.
#[derive(Default)]
pub struct Stats {
    checkouts: AtomicU64,
    orders_paid: AtomicU64,
    /// Paid amounts in minor units, by currency code.
    revenue: Mutex<BTreeMap<String, i64>>,
    /// Units paid for, by product, with the product's title at the time.
    sold: Mutex<HashMap<ProductId, (String, u64)>>,
}

/// A reading of [`Stats`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub checkouts: u64,
    pub orders_paid: u64,
    pub revenue: BTreeMap<String, i64>,
}

impl Stats {
    pub fn checkout_completed(&self) {
        self.checkouts.fetch_add(1, Ordering::Relaxed);
    }

    pub fn order_paid(&self, total: Money, lines: &[OrderLine]) {
        self.orders_paid.fetch_add(1, Ordering::Relaxed);
        let mut revenue = self.revenue.lock().unwrap_or_else(|p| p.into_inner());
        *revenue.entry(total.currency().to_string()).or_default() += total.amount();
        drop(revenue);
        let mut sold = self.sold.lock().unwrap_or_else(|p| p.into_inner());
        for line in lines {
            let units = u64::from(line.quantity.get());
            let entry = sold.entry(line.product_id).or_default();
            if entry.0 != line.title.as_str() {
                entry.0 = line.title.as_str().to_owned();
            }
            entry.1 += units;
        }
    }

    /// The `n` products with the most units paid for, best first: (title, units).
    pub fn top_products(&self, n: usize) -> Vec<(String, u64)> {
        let sold = self.sold.lock().unwrap_or_else(|p| p.into_inner());
        let mut top: Vec<(&ProductId, &(String, u64))> = sold.iter().collect();
        top.sort_by(|a, b| b.1.1.cmp(&a.1.1).then_with(|| a.0.cmp(b.0)));
        top.into_iter()
            .take(n)
            .map(|(_, (title, units))| (title.clone(), *units))
            .collect()
    }

    pub fn totals(&self) -> Totals {
        Totals {
            checkouts: self.checkouts.load(Ordering::Relaxed),
            orders_paid: self.orders_paid.load(Ordering::Relaxed),
            revenue: self
                .revenue
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone(),
        }
    }
}
