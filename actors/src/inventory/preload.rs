//! The stock levels and holds of every shard, read from the store once when
//! the shards first start: one scan of each table rather than one per shard.
//! A shard that restarts later reads its own afresh.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use souk_models::{ProductId, StockLevel};

use super::shard_of;
use crate::store::{Hold, Store, StoreError};

/// What one shard starts from.
#[derive(Default)]
pub(crate) struct ShardData {
    pub levels: Vec<(ProductId, StockLevel)>,
    pub holds: Vec<Hold>,
}

impl ShardData {
    /// The levels and holds of `shard`'s products, read from the store.
    pub async fn read(store: &dyn Store, shard: usize, shards: usize) -> Result<Self, StoreError> {
        let mut all = Preloaded::read(store, shards).await?;
        Ok(all.remove(&shard).unwrap_or_default())
    }
}

/// Each shard's starting data until it takes it.
#[derive(Clone, Default)]
pub(crate) struct Preloaded(Arc<Mutex<HashMap<usize, ShardData>>>);

impl Preloaded {
    /// Reads the store once for shards `0..shards`.
    pub async fn load(store: &dyn Store, shards: usize) -> Result<Self, StoreError> {
        let all = Self::read(store, shards).await?;
        Ok(Self(Arc::new(Mutex::new(all))))
    }

    async fn read(
        store: &dyn Store,
        shards: usize,
    ) -> Result<HashMap<usize, ShardData>, StoreError> {
        let mut all: HashMap<usize, ShardData> =
            (0..shards).map(|s| (s, ShardData::default())).collect();
        for (product, level) in store.list_stock().await? {
            let part = all.entry(shard_of(product, shards)).or_default();
            part.levels.push((product, level));
        }
        for hold in store.list_holds().await? {
            all.entry(shard_of(hold.product, shards))
                .or_default()
                .holds
                .push(hold);
        }
        Ok(all)
    }

    /// `shard`'s data the first time it asks; `None` afterwards (a restarted
    /// shard must read the store again).
    pub fn take(&self, shard: usize) -> Option<ShardData> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&shard)
    }
}
