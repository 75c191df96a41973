//! `InventoryHandle`: the typed API to the inventory shards.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures::future::join_all;
use ractor::RpcReplyPort;
use souk_models::{OrderId, ProductId, StockCount, StockLevel, Timestamp};

use super::actor::{InventoryMsg, InventoryShard};
use super::remote::{ShardCall, ShardReply};
use super::{InventoryError, Settlement, shard_of};
use crate::remote::{Remote, Route};
use crate::shards::Shards;
use crate::store::Fence;

#[derive(Clone)]
pub struct InventoryHandle {
    pub(crate) shards: Shards<InventoryShard>,
    /// Each shard's mailbox depth gauge.
    depth: Arc<[metrics::Gauge]>,
    timeout: Duration,
    /// In a cluster: how shards placed on other nodes are reached.
    remote: Remote,
}

impl InventoryHandle {
    pub(crate) fn new(shards: Shards<InventoryShard>, timeout: Duration) -> Self {
        let depth = (0..shards.len())
            .map(|shard| {
                metrics::gauge!(
                    "souk_actor_mailbox_depth", "kind" => "inventory_shard", "shard" => shard.to_string()
                )
            })
            .collect();
        Self {
            shards,
            depth,
            timeout,
            remote: Remote::default(),
        }
    }

    /// Sends calls for shards that do not run here through `route` (set
    /// once, by the cluster; every clone of this handle shares it).
    pub fn set_route(&self, route: Arc<dyn Route>) {
        self.remote.set(route);
    }

    pub fn shards(&self) -> usize {
        self.shards.len()
    }

    /// Runs `shard` on this node under `fence` (its lease's epoch): the
    /// shard reads its stock and holds from the store and writes under the
    /// fence. Only for shards started with
    /// [`super::InventorySupervisor::start_in`] with [`crate::Placement::ByLease`].
    pub async fn place(&self, shard: usize, fence: Fence) -> Result<(), InventoryError> {
        self.shards
            .place(shard, fence)
            .await
            .map_err(InventoryError::Unavailable)
    }

    /// Stops `shard` on this node; returns once it writes nothing more.
    pub async fn unplace(&self, shard: usize) {
        self.shards.unplace(shard).await;
    }

    /// Holds every line for `order` until `expires_at`, or nothing: if any shard
    /// refuses, what the others held is released before this returns.
    pub async fn reserve(
        &self,
        order: OrderId,
        lines: &[(ProductId, u32)],
        expires_at: Timestamp,
    ) -> Result<(), InventoryError> {
        let groups = self.by_shard(lines.iter().map(|(p, q)| (*p, *q)));
        let calls = groups.iter().map(|(shard, lines)| async move {
            let call = ShardCall::Reserve {
                order,
                lines: lines.clone(),
                expires_at,
            };
            self.dispatch(*shard, call).await.map(|_| ())
        });
        let results = join_all(calls).await;
        let Some(failure) = results.iter().find_map(|r| r.as_ref().err()).cloned() else {
            return Ok(());
        };
        let held: Vec<usize> = groups
            .keys()
            .zip(&results)
            .filter(|(_, r)| r.is_ok())
            .map(|(s, _)| *s)
            .collect();
        for shard in held {
            // Best effort: a hold that cannot be released now expires anyway.
            if let Err(e) = self.settle_shard(shard, order, Settlement::Release).await {
                tracing::warn!(%order, shard, error = %e, "rollback of a partial reservation failed");
            }
        }
        Err(failure)
    }

    /// Applies `action` to what `order` holds on `products`. Idempotent: each
    /// action happens at most once per order.
    pub async fn settle(
        &self,
        order: OrderId,
        products: &[ProductId],
        action: Settlement,
    ) -> Result<(), InventoryError> {
        let shards = self.by_shard(products.iter().map(|p| (*p, 0)));
        let results = join_all(shards.keys().map(|s| self.settle_shard(*s, order, action))).await;
        results.into_iter().collect()
    }

    /// Whether any units of `products` were sold to `order`: its payment went
    /// through, even if the order's record of it was lost in a crash.
    pub async fn is_sold(
        &self,
        order: OrderId,
        products: &[ProductId],
    ) -> Result<bool, InventoryError> {
        let shards = self.by_shard(products.iter().map(|p| (*p, 0)));
        let asks = shards
            .keys()
            .map(|s| self.dispatch(*s, ShardCall::Sold { order }));
        let answers: Result<Vec<ShardReply>, _> = join_all(asks).await.into_iter().collect();
        Ok(answers?
            .into_iter()
            .any(|reply| matches!(reply, ShardReply::Sold { sold: true })))
    }

    /// Sells a paid order's `lines`: its holds, or (a hold released before
    /// the payment came) the units again from what is available. Every
    /// shard commits what it can; `OutOfStock` if a released line can no
    /// longer be had (the caller undoes the rest with `Restock`).
    pub async fn commit(
        &self,
        order: OrderId,
        lines: &[(ProductId, u32)],
    ) -> Result<(), InventoryError> {
        self.on_each_shard(lines, |lines| ShardCall::Commit { order, lines })
            .await
    }

    /// Puts returned units back on sale: each line's units are no longer
    /// sold. Once per `key` (a return's): asking again changes nothing.
    pub async fn take_back(
        &self,
        key: OrderId,
        lines: &[(ProductId, u32)],
    ) -> Result<(), InventoryError> {
        self.on_each_shard(lines, |lines| ShardCall::TakeBack { key, lines })
            .await
    }

    /// Sends each shard the call `call` makes of its part of `lines`, all
    /// at once; the first failure, if any.
    async fn on_each_shard(
        &self,
        lines: &[(ProductId, u32)],
        call: impl Fn(Vec<(ProductId, u32)>) -> ShardCall,
    ) -> Result<(), InventoryError> {
        let groups = self.by_shard(lines.iter().copied());
        let calls = groups
            .into_iter()
            .map(|(shard, part)| self.dispatch(shard, call(part)));
        let replies = join_all(calls).await;
        replies.into_iter().try_for_each(|r| r.map(|_| ()))
    }

    /// Sets the units available for sale, keeping reserved and sold units.
    pub async fn set_available(
        &self,
        product: ProductId,
        available: StockCount,
    ) -> Result<StockLevel, InventoryError> {
        let shard = shard_of(product, self.shards());
        level_of(
            self.dispatch(shard, ShardCall::SetAvailable { product, available })
                .await?,
        )
    }

    pub async fn level(&self, product: ProductId) -> Result<StockLevel, InventoryError> {
        let shard = shard_of(product, self.shards());
        level_of(self.dispatch(shard, ShardCall::Level { product }).await?)
    }

    async fn settle_shard(
        &self,
        shard: usize,
        order: OrderId,
        action: Settlement,
    ) -> Result<(), InventoryError> {
        self.dispatch(shard, ShardCall::Settle { order, action })
            .await
            .map(|_| ())
    }

    /// Runs `call` on `shard`: here when it runs here (or when not
    /// clustered), otherwise on the node holding it, asking again while it
    /// moves, until the call timeout.
    async fn dispatch(&self, shard: usize, call: ShardCall) -> Result<ShardReply, InventoryError> {
        if !self.remote.clustered() {
            return answer(self.run_here(shard, call).await);
        }
        let name = format!("inventory/{shard}");
        let local = || {
            self.shards
                .get(shard)
                .is_some()
                .then(|| self.run_here(shard, call.clone()))
        };
        let reply = self.remote.run(&name, &call, self.timeout, local).await;
        answer(reply.map_err(InventoryError::Unavailable)?)
    }

    /// Runs a call forwarded by another node on `shard` here; `None` if the
    /// shard does not run here (it moved).
    pub async fn serve(&self, shard: usize, call: ShardCall) -> Option<ShardReply> {
        if shard >= self.shards() || self.shards.get(shard).is_none() {
            return None;
        }
        Some(self.run_here(shard, call).await)
    }

    async fn run_here(&self, shard: usize, call: ShardCall) -> ShardReply {
        let done = |r: Result<(), InventoryError>| r.map(|()| ShardReply::Done);
        let level =
            |r: Result<StockLevel, InventoryError>| r.map(|level| ShardReply::Level { level });
        let result = match call {
            ShardCall::Reserve {
                order,
                lines,
                expires_at,
            } => done(
                self.call(shard, |reply| InventoryMsg::Reserve {
                    order,
                    lines: lines.clone(),
                    expires_at,
                    reply,
                })
                .await,
            ),
            ShardCall::Settle { order, action } => done(
                self.call(shard, |reply| InventoryMsg::Settle {
                    order,
                    action,
                    reply,
                })
                .await,
            ),
            ShardCall::Sold { order } => self
                .call(shard, |reply| InventoryMsg::Sold { order, reply })
                .await
                .map(|sold| ShardReply::Sold { sold }),
            ShardCall::Commit { order, lines } => done(
                self.call(shard, |reply| InventoryMsg::Commit {
                    order,
                    lines: lines.clone(),
                    reply,
                })
                .await,
            ),
            ShardCall::TakeBack { key, lines } => done(
                self.call(shard, |reply| InventoryMsg::TakeBack {
                    key,
                    lines: lines.clone(),
                    reply,
                })
                .await,
            ),
            ShardCall::SetAvailable { product, available } => level(
                self.call(shard, |reply| InventoryMsg::SetAvailable {
                    product,
                    available,
                    reply,
                })
                .await,
            ),
            ShardCall::Level { product } => level(
                self.call(shard, |reply| InventoryMsg::Level { product, reply })
                    .await,
            ),
        };
        result.unwrap_or_else(ShardReply::from_error)
    }

    fn by_shard(
        &self,
        lines: impl Iterator<Item = (ProductId, u32)>,
    ) -> BTreeMap<usize, Vec<(ProductId, u32)>> {
        let shards = self.shards();
        let mut groups: BTreeMap<usize, Vec<(ProductId, u32)>> = BTreeMap::new();
        for (product, quantity) in lines {
            groups
                .entry(shard_of(product, shards))
                .or_default()
                .push((product, quantity));
        }
        groups
    }

    /// Calls `shard`, waiting out a restart.
    async fn call<T: Send + 'static>(
        &self,
        shard: usize,
        build: impl Fn(RpcReplyPort<Result<T, InventoryError>>) -> InventoryMsg,
    ) -> Result<T, InventoryError> {
        let _pending = self
            .depth
            .get(shard)
            .cloned()
            .map(crate::mailbox::Pending::new);
        self.shards
            .call(shard, build, self.timeout)
            .await
            .map_err(|e| InventoryError::Unavailable(format!("shard {shard} {e}")))?
    }
}

/// A reply as the caller's result: refusals and failures as errors.
fn answer(reply: ShardReply) -> Result<ShardReply, InventoryError> {
    match reply {
        ShardReply::OutOfStock { product, available } => {
            Err(InventoryError::OutOfStock { product, available })
        }
        ShardReply::Unavailable { reason } => Err(InventoryError::Unavailable(reason)),
        reply => Ok(reply),
    }
}

fn level_of(reply: ShardReply) -> Result<StockLevel, InventoryError> {
    match reply {
        ShardReply::Level { level } => Ok(level),
        other => Err(InventoryError::Unavailable(format!(
            "unexpected shard reply {other:?}"
        ))),
    }
}
