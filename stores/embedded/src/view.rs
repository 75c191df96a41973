//! What reads see: an fjall snapshot taken after the last durable group
//! commit, so a read never sees a write before it is durable.

use std::sync::RwLock;

use souk_actors::store::StoreError;

use super::base::Base;
use super::codec::{Key, TableDef, Value};
use super::read_table::ReadTable;

/// The state shared by readers and the writer.
pub struct Shared(RwLock<Option<Base>>);

fn closed() -> StoreError {
    StoreError::Unavailable("store is closed".into())
}

impl Shared {
    pub fn new(base: Base) -> Self {
        Self(RwLock::new(Some(base)))
    }

    pub fn base(&self) -> Result<Base, StoreError> {
        self.0
            .read()
            .map_err(|_| closed())?
            .clone()
            .ok_or_else(closed)
    }

    /// A consistent snapshot of every durable write so far.
    pub fn snapshot(&self) -> Result<Snapshot, StoreError> {
        Ok(Snapshot(self.base()?))
    }

    /// Reads that start from now on see `base`.
    pub fn publish(&self, base: Base) -> Result<(), StoreError> {
        let mut guard = self.0.write().map_err(|_| closed())?;
        *guard.as_mut().ok_or_else(closed)? = base;
        Ok(())
    }

    /// Drops the snapshot; later reads fail.
    pub fn close(&self) {
        if let Ok(mut base) = self.0.write() {
            base.take();
        }
    }
}

/// A read.
pub struct Snapshot(Base);

impl Snapshot {
    pub fn open_table<K: Key, V: Value>(
        &self,
        def: TableDef<K, V>,
    ) -> Result<ReadTable<'_, K, V>, StoreError> {
        ReadTable::open(&self.0, None, def)
    }
}
