//! Work placed on other nodes of a cluster: inventory shards, cart hosts,
//! order partitions and the checkout dispatcher each run on the one node
//! holding their lease (named `inventory/3`, `carts/0`, `orders/7`,
//! `checkout/0`), and the other nodes reach them through a [`Route`].
//!
//! A call travels as JSON. The node asked runs it if the work runs there;
//! if the work moved, it answers so, and the caller asks again (the work's
//! new holder once the placement knows it) until its call timeout.

use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Reaches work placed on other nodes.
#[async_trait::async_trait]
pub trait Route: Send + Sync {
    /// Sends `call` (JSON) to the node holding `name` and returns its JSON
    /// reply; `Ok(None)` if that node does not run `name` (it moved, or it
    /// is being placed here); `Err` if no node could be asked.
    async fn call(&self, name: &str, call: Vec<u8>) -> Result<Option<Vec<u8>>, String>;
}

/// Pause before asking again for work that is moving between nodes.
const MOVING_RETRY: Duration = Duration::from_millis(50);

/// How a handle reaches its work on other nodes: unset on a single node
/// (everything runs here), set once by the cluster and shared by every
/// clone of the handle.
#[derive(Clone, Default)]
pub(crate) struct Remote {
    route: Arc<OnceLock<Arc<dyn Route>>>,
}

impl Remote {
    pub(crate) fn set(&self, route: Arc<dyn Route>) {
        let _ = self.route.set(route);
    }

    /// Whether work is placed by lease (this node is part of a cluster).
    pub(crate) fn clustered(&self) -> bool {
        self.route.get().is_some()
    }

    /// Runs `call` on `name`: here through `local` whenever it gives a
    /// future (the work runs here), otherwise on the node holding it,
    /// asking again while the work moves, until `timeout`. `Err` says why
    /// nobody answered; nothing was done then.
    pub(crate) async fn run<C, R, F, Fut>(
        &self,
        name: &str,
        call: &C,
        timeout: Duration,
        mut local: F,
    ) -> Result<R, String>
    where
        C: Serialize,
        R: DeserializeOwned,
        F: FnMut() -> Option<Fut>,
        Fut: Future<Output = R>,
    {
        let deadline = tokio::time::Instant::now() + timeout;
        let body = serde_json::to_vec(call).map_err(|e| e.to_string())?;
        loop {
            if let Some(here) = local() {
                return Ok(here.await);
            }
            let why = match self.route.get() {
                // One node: it runs here or nowhere (stopping).
                None => return Err(format!("{name} is not running")),
                Some(route) => match forwarded(name, route.call(name, body.clone())).await {
                    Ok(Some(reply)) => {
                        return serde_json::from_slice(&reply)
                            .map_err(|e| format!("an unreadable reply from {name}'s node: {e}"));
                    }
                    Ok(None) => format!("{name} is moving between nodes"),
                    Err(why) => why,
                },
            };
            if tokio::time::Instant::now() >= deadline {
                return Err(format!("{why}; nothing was changed"));
            }
            tracing::debug!(name, %why, "no holder answered yet");
            tokio::time::sleep(MOVING_RETRY).await;
        }
    }
}

/// Counts a call sent to another node (`souk_cluster_forwarded_total`).
async fn forwarded<T>(name: &str, call: impl Future<Output = T>) -> T {
    let work = match name.split('/').next() {
        Some("inventory") => "inventory",
        Some("carts") => "carts",
        Some("orders") => "orders",
        Some("checkout") => "checkout",
        _ => "other",
    };
    metrics::counter!("souk_cluster_forwarded_total", "work" => work).increment(1);
    call.await
}

/// Where a kind of placed work runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// All of it on this node (one node).
    Here,
    /// None until placed on this node by its lease, each part under its
    /// lease's fence (a cluster).
    ByLease,
}
