//! `InventorySupervisor`: reads the store once for every shard, starts the
//! shards and restarts any that fails; the restarted shard reloads its levels
//! and holds from the store.

use std::sync::Arc;
use std::time::Duration;

use ractor::{ActorCell, ActorProcessingErr};

use super::actor::{InventoryArgs, InventoryShard};
use super::handle::InventoryHandle;
use super::preload::Preloaded;
use crate::catalog::Catalog;
use crate::events::EventBus;
use crate::shards::{Sharded, Shards};
use crate::store::Store;

pub struct InventorySupervisor;

impl InventorySupervisor {
    /// Starts `shards` shards under a new supervisor and returns the handle to
    /// them, with the supervisor (stop it to stop every shard).
    pub async fn start(
        store: Arc<dyn Store>,
        catalog: Option<Arc<Catalog>>,
        events: EventBus,
        low_stock: u64,
        shards: usize,
        call_timeout: Duration,
    ) -> Result<(InventoryHandle, ActorCell), ActorProcessingErr> {
        let shards = shards.max(1);
        let preloaded = Preloaded::load(store.as_ref(), shards).await?;
        let base = InventoryArgs {
            shard: 0,
            shards,
            preloaded,
            store,
            catalog,
            events,
            low_stock,
        };
        let shards = Shards::<InventoryShard>::start(base, shards).await?;
        let supervisor = shards.supervisor();
        Ok((InventoryHandle::new(shards, call_timeout), supervisor))
    }
}

impl Sharded for InventoryShard {
    const KIND: &'static str = "inventory_shard";

    fn new() -> Self {
        InventoryShard
    }

    fn for_shard(base: &InventoryArgs, shard: usize) -> InventoryArgs {
        InventoryArgs {
            shard,
            ..base.clone()
        }
    }
}
