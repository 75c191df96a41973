//! Which products changed since a watcher last looked: the feed that keeps
//! derived indexes (the assistant's vector index) current.
//!
//! Changes are coalesced into a set of product ids, so a watcher that falls
//! behind sees each changed product once rather than a growing backlog; the
//! set is bounded by the catalog's size. Nothing is recorded until someone
//! calls [`Catalog::changed`](super::Catalog::changed).

use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use souk_models::ProductId;
use tokio::sync::Notify;

#[derive(Default)]
pub(super) struct ChangeFeed {
    watched: AtomicBool,
    pending: Mutex<HashSet<ProductId>>,
    notify: Notify,
}

impl ChangeFeed {
    pub(super) fn mark(&self, id: ProductId) {
        if !self.watched.load(Ordering::Acquire) {
            return;
        }
        self.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id);
        self.notify.notify_one();
    }

    /// Waits until at least one product changed, then returns every product
    /// changed since the previous call.
    pub(super) async fn next(&self) -> Vec<ProductId> {
        self.watched.store(true, Ordering::Release);
        loop {
            let notified = self.notify.notified();
            let batch: Vec<ProductId> = self
                .pending
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .drain()
                .collect();
            if !batch.is_empty() {
                return batch;
            }
            notified.await;
        }
    }

    /// Starts recording changes before the first [`ChangeFeed::next`].
    pub(super) fn watch(&self) {
        self.watched.store(true, Ordering::Release);
    }
}
