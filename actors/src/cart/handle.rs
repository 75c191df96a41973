//! `CartHandle`: the typed API to the shoppers' carts.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use ractor::{ActorCell, RpcReplyPort};
use souk_models::{Cart, ProductId, Timestamp, UserId};

use super::host::{CartHost, HostArgs, HostMsg};
use super::ops::CartOp;
use super::{CartError, LineChange};
use crate::shards::Shards;
use crate::store::Store;

#[derive(Clone)]
pub struct CartHandle {
    pub(crate) hosts: Shards<CartHost>,
    live: Arc<[AtomicUsize]>,
    depth: metrics::Gauge,
    timeout: Duration,
}

impl CartHandle {
    /// Starts `hosts` cart hosts; carts leave memory after `idle` unused.
    pub async fn start(
        store: Arc<dyn Store>,
        hosts: usize,
        idle: Duration,
        timeout: Duration,
    ) -> Result<Self, CartError> {
        let hosts = hosts.max(1);
        let live: Arc<[AtomicUsize]> = (0..hosts).map(|_| AtomicUsize::new(0)).collect();
        let base = HostArgs {
            shard: 0,
            store,
            idle,
            live: live.clone(),
            filled: (0..hosts).map(|_| AtomicUsize::new(0)).collect(),
        };
        let hosts = Shards::start(base, hosts)
            .await
            .map_err(|e| CartError::Unavailable(e.to_string()))?;
        Ok(Self {
            hosts,
            live,
            depth: crate::mailbox::depth("cart"),
            timeout,
        })
    }

    pub async fn get(&self, user: UserId) -> Result<Cart, CartError> {
        self.call(user, CartOp::Get).await
    }

    /// Changes one line; `available` is the product's stock now, which a line
    /// may not grow beyond.
    pub async fn change(
        &self,
        user: UserId,
        product: ProductId,
        change: LineChange,
        available: u64,
    ) -> Result<Cart, CartError> {
        let op = CartOp::Change {
            product,
            change,
            available,
        };
        self.call(user, op).await
    }

    pub async fn clear(&self, user: UserId) -> Result<Cart, CartError> {
        self.call(user, CartOp::Clear).await
    }

    /// Tells `user`'s cart that an order was placed from it as it was at
    /// `read_at` (its `updated_at` then), which emptied the stored cart in the
    /// order's write. The cart empties without writing again unless it changed
    /// since. It does not wait: the message is in the cart's queue when this
    /// returns, so whatever reaches the cart later finds it empty. A failed
    /// save is logged. `false` if the cart's host is restarting and nothing was
    /// queued (then call [`Self::clear`]).
    pub fn ordered(&self, user: UserId, read_at: Timestamp) -> bool {
        let Some(host) = self.hosts.get(self.host_of(user)) else {
            return false;
        };
        let (reply, answer) = tokio::sync::oneshot::channel();
        let op = HostMsg::Op {
            user,
            op: CartOp::Ordered { read_at },
            reply: RpcReplyPort::from(reply),
        };
        if host.cast(op).is_err() {
            return false;
        }
        tokio::spawn(async move {
            match answer.await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!(%user, error = %e, "an ordered cart was not cleared"),
                Err(_) => {
                    tracing::warn!(%user, "an ordered cart's host stopped before clearing it")
                }
            }
        });
        true
    }

    /// Carts currently in memory.
    pub fn live(&self) -> usize {
        self.live.iter().map(|n| n.load(Ordering::Relaxed)).sum()
    }

    /// The hosts' supervisor: stopping it stops every cart (their state is
    /// already durable).
    pub fn supervisor(&self) -> ActorCell {
        self.hosts.supervisor()
    }

    /// Stops every cart host.
    pub async fn stop(&self) {
        let _ = self.hosts.supervisor().stop_and_wait(None, None).await;
    }

    pub(crate) fn host_of(&self, user: UserId) -> usize {
        (user.as_uuid().as_u128() % self.hosts.len().max(1) as u128) as usize
    }

    pub(super) async fn call(&self, user: UserId, op: CartOp) -> Result<Cart, CartError> {
        let _pending = crate::mailbox::Pending::new(self.depth.clone());
        let build = |reply| HostMsg::Op { user, op, reply };
        self.hosts
            .call(self.host_of(user), build, self.timeout)
            .await
            .map_err(|e| CartError::Unavailable(format!("cart {e}")))?
    }
}
