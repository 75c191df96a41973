//! What readers see: the rows of every durable batch up to a point, in the
//! in-memory generations ([`super::memtable`]) over a redb snapshot that holds
//! everything checkpointed.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use redb::{Database, ReadTransaction, TableDefinition};
use souk_actors::store::StoreError;

use super::memtable::{Mem, Tables};
use super::read_table::ReadTable;
use super::tables::io;

/// The generations a read consults, newest first, and the redb snapshot
/// under them.
#[derive(Clone)]
pub struct View {
    pub active: Arc<Mem>,
    pub frozen: Option<Arc<Mem>>,
    pub base: Arc<ReadTransaction>,
}

impl View {
    pub fn mems(&self) -> impl Iterator<Item = &Mem> {
        std::iter::once(&*self.active).chain(self.frozen.as_deref())
    }
}

/// The view shared by readers, the writer and the checkpoint thread.
pub struct Shared {
    view: RwLock<Option<View>>,
    /// The last batch whose rows are in the active generation.
    visible: AtomicU64,
    /// Generations applied to redb so far.
    settled: AtomicU64,
    tables: u8,
}

fn closed() -> StoreError {
    StoreError::Unavailable("store is closed".into())
}

impl Shared {
    pub fn new(db: &Database, tables: u8) -> Result<Self, StoreError> {
        Ok(Self {
            view: RwLock::new(Some(View {
                active: Arc::new(Mem::new(tables)),
                frozen: None,
                base: Arc::new(db.begin_read().map_err(io)?),
            })),
            visible: AtomicU64::new(0),
            settled: AtomicU64::new(0),
            tables,
        })
    }

    pub fn view(&self) -> Result<View, StoreError> {
        self.view
            .read()
            .map_err(|_| closed())?
            .clone()
            .ok_or_else(closed)
    }

    /// A consistent snapshot of every batch visible now.
    pub fn snapshot(&self) -> Result<Snapshot, StoreError> {
        let view = self.view()?;
        Ok(Snapshot {
            seq: self.visible(),
            view,
        })
    }

    /// The last batch made visible.
    pub fn visible(&self) -> u64 {
        self.visible.load(Ordering::Acquire)
    }

    /// Makes batch `seq`, whose rows the writer put in the active generation,
    /// visible to reads that start from now on.
    pub fn publish(&self, seq: u64) {
        self.visible.store(seq, Ordering::Release);
    }

    /// True while a frozen generation is not yet in redb.
    pub fn checkpoint_pending(&self) -> bool {
        self.view
            .read()
            .map_or(true, |v| v.as_ref().is_none_or(|v| v.frozen.is_some()))
    }

    /// Freezes the active generation and starts a new one; `None` if one is
    /// frozen already.
    pub fn rotate(&self) -> Result<Option<Arc<Mem>>, StoreError> {
        let mut guard = self.view.write().map_err(|_| closed())?;
        let view = guard.as_mut().ok_or_else(closed)?;
        if view.frozen.is_some() {
            return Ok(None);
        }
        let fresh = Arc::new(Mem::new(self.tables));
        let frozen = std::mem::replace(&mut view.active, fresh);
        view.frozen = Some(frozen.clone());
        Ok(Some(frozen))
    }

    /// Once `frozen` is in redb: reads take its rows from `base` instead.
    pub fn settle(&self, frozen: &Arc<Mem>, base: ReadTransaction) -> Result<(), StoreError> {
        let mut guard = self.view.write().map_err(|_| closed())?;
        let view = guard.as_mut().ok_or_else(closed)?;
        if view.frozen.as_ref().is_some_and(|f| Arc::ptr_eq(f, frozen)) {
            view.frozen = None;
        }
        view.base = Arc::new(base);
        self.settled.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Generations applied to redb so far.
    pub fn settled(&self) -> u64 {
        self.settled.load(Ordering::Relaxed)
    }

    /// Drops the view, so the redb snapshot no longer holds the file open.
    pub fn close(&self) {
        if let Ok(mut view) = self.view.write() {
            view.take();
        }
    }
}

/// A read: every batch up to `seq`.
pub struct Snapshot {
    seq: u64,
    view: View,
}

impl Snapshot {
    pub fn open_table<K: redb::Key + 'static, V: redb::Value + 'static>(
        &self,
        def: TableDefinition<K, V>,
    ) -> Result<ReadTable<'_, K, V>, StoreError> {
        ReadTable::open(&self.view, self.seq, None, def)
    }
}

/// The rows a batch has written so far, read before the generations.
pub type Batch = RefCell<Tables>;
