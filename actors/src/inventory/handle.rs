//! `InventoryHandle`: the typed API to the inventory shards.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures::future::join_all;
use ractor::RpcReplyPort;
use souk_models::{OrderId, ProductId, StockCount, StockLevel, Timestamp};

use super::actor::{InventoryMsg, InventoryShard};
use super::{InventoryError, Settlement, shard_of};
use crate::shards::Shards;
use crate::store::Fence;

#[derive(Clone)]
pub struct InventoryHandle {
    pub(crate) shards: Shards<InventoryShard>,
    /// Each shard's mailbox depth gauge.
    depth: Arc<[metrics::Gauge]>,
    timeout: Duration,
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
        }
    }

    pub fn shards(&self) -> usize {
        self.shards.len()
    }

    /// Runs `shard` on this node under `fence` (its lease's epoch): the
    /// shard reads its stock and holds from the store and writes under the
    /// fence. Only for shards started with
    /// [`super::InventorySupervisor::start_placed`].
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
        let calls = groups.iter().map(|(shard, lines)| {
            self.call(*shard, |reply| InventoryMsg::Reserve {
                order,
                lines: lines.clone(),
                expires_at,
                reply,
            })
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
            .map(|s| self.call(*s, |reply| InventoryMsg::Sold { order, reply }));
        let answers: Result<Vec<bool>, _> = join_all(asks).await.into_iter().collect();
        Ok(answers?.into_iter().any(|sold| sold))
    }

    /// Sets the units available for sale, keeping reserved and sold units.
    pub async fn set_available(
        &self,
        product: ProductId,
        available: StockCount,
    ) -> Result<StockLevel, InventoryError> {
        let shard = shard_of(product, self.shards());
        self.call(shard, |reply| InventoryMsg::SetAvailable {
            product,
            available,
            reply,
        })
        .await
    }

    pub async fn level(&self, product: ProductId) -> Result<StockLevel, InventoryError> {
        let shard = shard_of(product, self.shards());
        self.call(shard, |reply| InventoryMsg::Level { product, reply })
            .await
    }

    async fn settle_shard(
        &self,
        shard: usize,
        order: OrderId,
        action: Settlement,
    ) -> Result<(), InventoryError> {
        self.call(shard, |reply| InventoryMsg::Settle {
            order,
            action,
            reply,
        })
        .await
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
