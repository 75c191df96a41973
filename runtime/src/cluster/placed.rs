//! The work placed on a node by lease: today the inventory shards.

use std::sync::Arc;

use souk_actors::inventory::ShardRoute;
use souk_actors::store::Fence;
use souk_actors::{InventoryHandle, Store};
use souk_cluster::{Lease, Work};

/// What runs on a node by lease: today the inventory shards.
pub struct Placed {
    store: Arc<dyn Store>,
    inventory: InventoryHandle,
}

impl Placed {
    pub fn new(store: Arc<dyn Store>, inventory: InventoryHandle) -> Self {
        Self { store, inventory }
    }

    /// Calls for shards placed on other nodes go through `route`.
    pub(super) fn route_through(&self, route: Arc<dyn ShardRoute>) {
        self.inventory.set_route(route);
    }

    /// Every lease name placed across the cluster.
    pub(super) fn names(&self) -> Vec<String> {
        (0..self.inventory.shards())
            .map(|shard| format!("inventory/{shard}"))
            .collect()
    }
}

fn shard_of(name: &str) -> Option<usize> {
    name.strip_prefix("inventory/")?.parse().ok()
}

#[async_trait::async_trait]
impl Work for Placed {
    /// Raises the owner's epoch in the store first (a fenced write), so that
    /// nothing an older holder still writes can land after the shard has
    /// read its state; then starts the shard under the fence.
    async fn start(&self, lease: &Lease) -> Result<(), String> {
        let shard = shard_of(&lease.name).ok_or_else(|| format!("no work named {}", lease.name))?;
        let fence = Fence::new(lease.name.clone(), lease.epoch);
        self.store
            .fenced(fence.clone())
            .put_meta(&format!("lease/{}", lease.name), &lease.epoch.to_string())
            .await
            .map_err(|e| e.to_string())?;
        self.inventory
            .place(shard, fence)
            .await
            .map_err(|e| e.to_string())
    }

    async fn stop(&self, name: &str) {
        if let Some(shard) = shard_of(name) {
            self.inventory.unplace(shard).await;
        }
    }
}
