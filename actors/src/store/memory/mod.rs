//! An in-memory [`Store`](super::Store): nothing survives the process. For actor
//! tests (it works under paused tokio time) and in-process benchmarks; it passes
//! the same conformance suite as the embedded store. Compiled only for tests
//! and under this crate's `test-util` feature, so no product build can pick it.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use souk_models::{
    Address, AddressId, Cart, Category, Email, Order, OrderId, Product, ProductId, StockLevel,
    Ticket, User, UserId,
};
use uuid::Uuid;

use super::{Fence, Fencing, Hold, RefreshToken, Store, StoreError};

mod account_tokens;
mod accounts;
mod catalog;
mod commerce;
mod copy;
mod notifications;
mod outbox;

#[derive(Default)]
struct Inner {
    users: BTreeMap<UserId, User>,
    emails: HashMap<String, UserId>,
    addresses: BTreeMap<(UserId, AddressId), Address>,
    tokens: HashMap<String, RefreshToken>,
    /// Revoked token families, with when (unix seconds).
    revoked: HashMap<Uuid, i64>,
    categories: BTreeMap<String, Category>,
    products: BTreeMap<ProductId, Product>,
    stock: BTreeMap<ProductId, StockLevel>,
    holds: BTreeMap<(OrderId, ProductId), Hold>,
    sales: BTreeMap<(OrderId, ProductId), super::Sale>,
    carts: HashMap<UserId, Cart>,
    orders: BTreeMap<OrderId, Order>,
    tickets: BTreeMap<Uuid, Ticket>,
    meta: HashMap<String, String>,
    vectors: BTreeMap<ProductId, super::ProductVector>,
    fences: HashMap<String, u64>,
    outbox: BTreeMap<Uuid, super::OutboxMail>,
    account_tokens: HashMap<String, super::AccountToken>,
    notifications: BTreeMap<(UserId, souk_models::NotificationId), souk_models::Notification>,
}

/// Cloning gives another handle on the same data.
#[derive(Default, Clone)]
pub struct MemoryStore {
    inner: Arc<Mutex<Inner>>,
    /// Checked by every write of a fenced view.
    fence: Option<Fence>,
    /// Test hook: inventory writes still to fail.
    #[cfg(test)]
    failing_inventory_writes: FailNext,
    /// Test hook: order timeline entries still to fail.
    #[cfg(test)]
    failing_order_entries: FailNext,
}

/// Test hook: how many more of some kind of write fail.
#[cfg(test)]
#[derive(Default, Clone)]
struct FailNext(Arc<std::sync::atomic::AtomicUsize>);

#[cfg(test)]
impl FailNext {
    fn set(&self, n: usize) {
        self.0.store(n, std::sync::atomic::Ordering::SeqCst);
    }

    /// Whether this write is one to fail (counting it).
    fn now(&self) -> bool {
        use std::sync::atomic::Ordering;
        self.0
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Test hook: the next `n` inventory writes fail, writing nothing.
    #[cfg(test)]
    pub(crate) fn fail_inventory_writes(&self, n: usize) {
        self.failing_inventory_writes.set(n);
    }

    /// Test hook: whether this inventory write is one to fail.
    #[cfg(test)]
    fn inventory_write_fails(&self) -> bool {
        self.failing_inventory_writes.now()
    }

    /// Test hook: the next `n` order timeline entries fail, writing nothing.
    #[cfg(test)]
    pub(crate) fn fail_order_entries(&self, n: usize) {
        self.failing_order_entries.set(n);
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The data, for a write: refused if this view's fence is older than
    /// its owner's stored epoch, which it otherwise raises.
    fn write(&self) -> Result<MutexGuard<'_, Inner>, StoreError> {
        let mut db = self.lock();
        if let Some(fence) = &self.fence {
            let stored = db.fences.entry(fence.owner.clone()).or_insert(fence.epoch);
            if *stored > fence.epoch {
                return Err(fence.refused(*stored));
            }
            *stored = fence.epoch;
        }
        Ok(db)
    }
}

impl Fencing for MemoryStore {
    fn fenced(&self, fence: Fence) -> Arc<dyn Store> {
        Arc::new(Self {
            fence: Some(fence),
            ..self.clone()
        })
    }
}

fn taken(email: &Email) -> StoreError {
    StoreError::Conflict(format!("{email} is already registered"))
}
