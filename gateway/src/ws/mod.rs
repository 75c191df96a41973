//! The live WebSocket API (`GET /api/v1/ws`); see docs/websocket.md.
//!
//! `route` authenticates and upgrades; `connection` runs one client's loop;
//! `subscribe` keeps its subscriptions, asking `gate` who may follow what,
//! and `replay` starts them without missing or repeating an event;
//! `protocol` is the JSON on the wire and `outbox` the write side. This file
//! counts the connections.

mod connection;
mod gate;
mod outbox;
mod protocol;
mod replay;
mod route;
mod subscribe;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use souk_models::UserId;
use tokio::sync::watch;

pub(crate) use route::router;

/// Open WebSocket connections on this node, overall and per user, and the
/// signal that closes them all at shutdown.
#[derive(Clone)]
pub struct WsRegistry {
    inner: Arc<Inner>,
}

struct Inner {
    open: AtomicUsize,
    per_user: Mutex<HashMap<UserId, usize>>,
    shutdown: watch::Sender<bool>,
}

impl Default for WsRegistry {
    fn default() -> Self {
        Self {
            inner: Arc::new(Inner {
                open: AtomicUsize::new(0),
                per_user: Mutex::new(HashMap::new()),
                shutdown: watch::Sender::new(false),
            }),
        }
    }
}

/// A connection refused because a limit was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyConnections;

impl WsRegistry {
    /// Connections open now.
    pub fn connections(&self) -> usize {
        self.inner.open.load(Ordering::Relaxed)
    }

    /// Connections `user` has open now.
    pub fn connections_of(&self, user: UserId) -> usize {
        self.per_user().get(&user).copied().unwrap_or(0)
    }

    /// Closes every open connection (code 1001) and refuses new ones; for a
    /// graceful shutdown, since upgraded connections outlive the HTTP server.
    pub fn shutdown(&self) {
        self.inner.shutdown.send_replace(true);
    }

    /// Takes a slot for a connection of `user`, unless this node already has
    /// `max_total` connections or the user `max_per_user`. The slot is given
    /// back when dropped.
    pub fn admit(
        &self,
        user: UserId,
        max_total: usize,
        max_per_user: usize,
    ) -> Result<Slot, TooManyConnections> {
        let mut per_user = self.per_user();
        let mine = per_user.entry(user).or_insert(0);
        if self.connections() >= max_total || *mine >= max_per_user {
            if *mine == 0 {
                per_user.remove(&user);
            }
            return Err(TooManyConnections);
        }
        *mine += 1;
        self.inner.open.fetch_add(1, Ordering::Relaxed);
        metrics::gauge!("souk_ws_connections").increment(1.0);
        Ok(Slot {
            registry: self.clone(),
            user,
        })
    }

    /// Whether [`WsRegistry::shutdown`] was called.
    pub fn is_shutting_down(&self) -> bool {
        *self.inner.shutdown.borrow()
    }

    /// Resolves once [`WsRegistry::shutdown`] is called.
    pub(crate) fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.inner.shutdown.subscribe()
    }

    fn per_user(&self) -> MutexGuard<'_, HashMap<UserId, usize>> {
        self.inner
            .per_user
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn release(&self, user: UserId) {
        let mut per_user = self.per_user();
        if let Some(mine) = per_user.get_mut(&user) {
            *mine = mine.saturating_sub(1);
            if *mine == 0 {
                per_user.remove(&user);
            }
        }
        self.inner.open.fetch_sub(1, Ordering::Relaxed);
        metrics::gauge!("souk_ws_connections").decrement(1.0);
    }
}

/// One admitted connection's place in the registry; dropping it (however the
/// connection ends, panics included) gives the place back.
pub struct Slot {
    registry: WsRegistry,
    user: UserId,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.registry.release(self.user);
    }
}
