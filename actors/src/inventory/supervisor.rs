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
use crate::remote::Placement;
use crate::shards::{Sharded, Shards};
use crate::store::{Fence, Store};

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
        let args = (store, catalog, events, low_stock, shards, call_timeout);
        Self::start_in(Placement::Here, args).await
    }

    /// As [`Self::start`], with the shards run where `placement` says.
    pub async fn start_in(
        placement: Placement,
        (store, catalog, events, low_stock, shards, call_timeout): StartArgs,
    ) -> Result<(InventoryHandle, ActorCell), ActorProcessingErr> {
        let shards = shards.max(1);
        let preloaded = match placement {
            Placement::Here => Preloaded::load(store.as_ref(), shards).await?,
            // A placed shard reads its own stock once its epoch is raised.
            Placement::ByLease => Preloaded::default(),
        };
        let base = InventoryArgs {
            shard: 0,
            shards,
            preloaded,
            store,
            catalog,
            events,
            low_stock,
        };
        let shards = match placement {
            Placement::Here => Shards::<InventoryShard>::start(base, shards).await?,
            Placement::ByLease => Shards::<InventoryShard>::start_placed(base, shards).await?,
        };
        let supervisor = shards.supervisor();
        Ok((InventoryHandle::new(shards, call_timeout), supervisor))
    }
}

/// The store, catalog, event bus, low-stock threshold, shard count and
/// call timeout the shards start with.
pub type StartArgs = (
    Arc<dyn Store>,
    Option<Arc<Catalog>>,
    EventBus,
    u64,
    usize,
    Duration,
);

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

    fn fenced(args: InventoryArgs, fence: &Fence) -> InventoryArgs {
        InventoryArgs {
            store: args.store.fenced(fence.clone()),
            ..args
        }
    }
}
