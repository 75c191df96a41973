//! Running totals behind the admin feed's once-a-second summary.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use souk_models::Money;

/// Totals since start; the summary publishes their rate of change.
#[derive(Default)]
pub struct Stats {
    checkouts: AtomicU64,
    orders_paid: AtomicU64,
    /// Paid amounts in minor units, by currency code.
    revenue: Mutex<BTreeMap<String, i64>>,
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

    pub fn order_paid(&self, total: Money) {
        self.orders_paid.fetch_add(1, Ordering::Relaxed);
        let mut revenue = self.revenue.lock().unwrap_or_else(|p| p.into_inner());
        *revenue.entry(total.currency().to_string()).or_default() += total.amount();
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
