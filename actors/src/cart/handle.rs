//! `CartHandle`: the typed API to the shoppers' carts.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use ractor::{ActorCell, RpcReplyPort};
use souk_models::{Cart, ProductId, Timestamp, UserId};

use super::host::{CartHost, HostArgs, HostMsg};
use super::ops::CartOp;
use super::{CartError, LineChange};
use crate::remote::{Placement, Remote, Route};
use crate::shards::Shards;
use crate::store::{Fence, Store};

#[derive(Clone)]
pub struct CartHandle {
    pub(crate) hosts: Shards<CartHost>,
    live: Arc<[AtomicUsize]>,
    depth: metrics::Gauge,
    timeout: Duration,
    /// In a cluster: how hosts placed on other nodes are reached.
    remote: Remote,
}

impl CartHandle {
    /// Starts `hosts` cart hosts; carts leave memory after `idle` unused.
    pub async fn start(
        store: Arc<dyn Store>,
        hosts: usize,
        idle: Duration,
        timeout: Duration,
    ) -> Result<Self, CartError> {
        Self::start_in(Placement::Here, store, hosts, idle, timeout).await
    }

    /// As [`Self::start`], with the hosts run where `placement` says.
    pub async fn start_in(
        placement: Placement,
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
        let hosts = match placement {
            Placement::Here => Shards::start(base, hosts).await,
            Placement::ByLease => Shards::start_placed(base, hosts).await,
        };
        Ok(Self {
            hosts: hosts.map_err(|e| CartError::Unavailable(e.to_string()))?,
            live,
            depth: crate::mailbox::depth("cart"),
            timeout,
            remote: Remote::default(),
        })
    }

    /// Sends calls for carts hosted on other nodes through `route` (set
    /// once, by the cluster; every clone of this handle shares it).
    pub fn set_route(&self, route: Arc<dyn Route>) {
        self.remote.set(route);
    }

    pub fn hosts(&self) -> usize {
        self.hosts.len()
    }

    /// Runs cart host `host` on this node under `fence` (its lease's
    /// epoch): its carts load from the store as they are used and are
    /// saved under the fence. Only for hosts started
    /// [`Placement::ByLease`].
    pub async fn place(&self, host: usize, fence: Fence) -> Result<(), CartError> {
        self.hosts
            .place(host, fence)
            .await
            .map_err(CartError::Unavailable)
    }

    /// Stops cart host `host` on this node; returns once it writes nothing
    /// more.
    pub async fn unplace(&self, host: usize) {
        self.hosts.unplace(host).await;
    }

    /// Runs a call forwarded by another node on one of this node's hosts;
    /// `None` if the user's host does not run here (it moved).
    pub async fn serve(&self, host: usize, call: CartCall) -> Option<Result<Cart, CartError>> {
        if host != self.host_of(call.user) || self.hosts.get(host).is_none() {
            return None;
        }
        Some(self.call_here(call.user, call.op).await)
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
    /// queued (then call [`Self::clear`]). In a cluster, a cart hosted on
    /// another node is told before this returns.
    pub async fn ordered(&self, user: UserId, read_at: Timestamp) -> bool {
        let index = self.host_of(user);
        let Some(host) = self.hosts.get(index) else {
            if !self.remote.clustered() {
                return false;
            }
            // Hosted on another node: wait until it has taken the message,
            // so that nothing the buyer sends after the checkout's answer
            // can overtake it (and be emptied by it).
            return match self.call(user, CartOp::Ordered { read_at }).await {
                Ok(_) => true,
                Err(e) => {
                    tracing::warn!(%user, error = %e, "an ordered cart on another node was not told");
                    false
                }
            };
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

    /// Runs `op` on `user`'s cart: here when its host runs here (or when
    /// not clustered), otherwise on the node hosting it.
    pub(super) async fn call(&self, user: UserId, op: CartOp) -> Result<Cart, CartError> {
        if !self.remote.clustered() {
            return self.call_here(user, op).await;
        }
        let host = self.host_of(user);
        let local = || {
            self.hosts
                .get(host)
                .is_some()
                .then(|| self.call_here(user, op))
        };
        let call = CartCall { user, op };
        let name = format!("carts/{host}");
        let reply = self.remote.run(&name, &call, self.timeout, local).await;
        reply.map_err(CartError::Unavailable)?
    }

    async fn call_here(&self, user: UserId, op: CartOp) -> Result<Cart, CartError> {
        let _pending = crate::mailbox::Pending::new(self.depth.clone());
        let build = |reply| HostMsg::Op { user, op, reply };
        self.hosts
            .call(self.host_of(user), build, self.timeout)
            .await
            .map_err(|e| CartError::Unavailable(format!("cart {e}")))?
    }
}

/// A call to one cart as it travels to the node hosting it.
#[derive(Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct CartCall {
    pub user: UserId,
    #[serde(flatten)]
    pub op: CartOp,
}
