//! The embedded store: one redb file under the data dir, no server needed.
//!
//! Reads run on the blocking pool against MVCC snapshots. Writes go to one writer
//! thread that group-commits: it takes every write waiting in its queue, applies
//! them in one transaction, fsyncs once, and only then answers each caller. So a
//! returned `Ok` is durable, and a thousand concurrent writers cost a handful of
//! fsyncs rather than a thousand.

mod carts;
mod catalog;
mod inventory;
mod orders;
mod tables;
mod tickets;
mod tokens;
mod users;
mod vectors;
mod writer;

use std::path::Path;
use std::sync::{Arc, RwLock};

use redb::{Database, ReadTransaction, WriteTransaction};
use souk_actors::store::{MetaStore, StoreError};

use tables::{META, decode_str, io};
use writer::Writer;

/// The redb-backed [`souk_actors::Store`].
pub struct EmbeddedStore {
    /// `None` once closed; in-flight reads keep their own handle until done.
    db: RwLock<Option<Arc<Database>>>,
    writer: Writer,
}

impl EmbeddedStore {
    /// Opens (or creates) the store file at `path`. Fails if another process has
    /// it open.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let db = Database::create(path).map_err(|e| {
            StoreError::Unavailable(format!("cannot open store {}: {e}", path.display()))
        })?;
        let db = Arc::new(db);
        tables::create_all(&db)?;
        let writer = Writer::start(db.clone())?;
        Ok(Self {
            db: RwLock::new(Some(db)),
            writer,
        })
    }

    /// Commits everything queued, stops the writer and releases the file, so the
    /// data dir can be opened again (by this process or another).
    pub async fn close(&self) {
        self.writer.stop().await;
        if let Ok(mut db) = self.db.write() {
            db.take();
        }
    }

    /// Write transactions committed since opening; each is one fsync.
    pub fn commits(&self) -> u64 {
        self.writer.commits()
    }

    fn db(&self) -> Result<Arc<Database>, StoreError> {
        self.db
            .read()
            .ok()
            .and_then(|db| db.clone())
            .ok_or_else(|| StoreError::Unavailable("store is closed".into()))
    }

    /// Runs `f` in a read transaction on the calling thread. Reads are short
    /// (point lookups and bounded pages from the page cache); a hop to the
    /// blocking pool cost more than the read itself (thread wake-ups were the
    /// top of the checkout profile).
    async fn read<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        F: FnOnce(&ReadTransaction) -> Result<R, StoreError>,
    {
        let txn = self.db()?.begin_read().map_err(io)?;
        f(&txn)
    }

    async fn write<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&WriteTransaction) -> Result<R, StoreError> + Send + 'static,
    {
        self.writer.submit(f).await
    }
}

#[async_trait::async_trait]
impl MetaStore for EmbeddedStore {
    async fn get_meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        let key = key.to_owned();
        self.read(move |txn| {
            let table = txn.open_table(META).map_err(io)?;
            table
                .get(key.as_str())
                .map_err(io)?
                .map(|v| decode_str(v.value()))
                .transpose()
        })
        .await
    }

    async fn put_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let (key, value) = (key.to_owned(), value.to_owned());
        self.write(move |txn| {
            let mut table = txn.open_table(META).map_err(io)?;
            table.insert(key.as_str(), value.as_bytes()).map_err(io)?;
            Ok(())
        })
        .await
    }
}
