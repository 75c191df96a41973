//! The embedded store: one redb file under the data dir, no server needed.
//!
//! Reads run on the calling task against snapshots ([`view`]). Writes go to
//! one writer thread that group-commits: it takes every write waiting in its
//! queue, applies them as one batch, appends their changes to the write-ahead
//! log and syncs it once, makes them visible in memory ([`memtable`]) and only
//! then answers each caller. So a returned `Ok` is durable, and a thousand
//! concurrent writers cost a handful of syncs rather than a thousand. About
//! once a second a checkpoint applies what is in memory to redb, whose pages
//! reach the store file through a journal ([`paged`]); after a crash, opening
//! the store replays the log ([`wal`]) on top of the last checkpoint.
//!
//! This crate is the default adapter of the storage ports in
//! [`souk_actors::store`]. Every failure it can report is one the ports already
//! name, so it returns their [`StoreError`] rather than an error type of its own.

mod carts;
mod catalog;
mod checkpoint;
mod inventory;
mod journal;
mod logged;
mod memtable;
mod orders;
mod page_map;
mod paged;
mod read_table;
mod tables;
mod tickets;
mod tokens;
mod user_cache;
mod users;
mod vectors;
mod view;
mod wal;
mod writer;

#[cfg(test)]
mod checkpoint_tests;
#[cfg(test)]
mod log_tests;
#[cfg(test)]
mod rollback_tests;
#[cfg(test)]
mod view_tests;

use std::path::Path;
use std::sync::Arc;

use redb::Database;
use souk_actors::store::{MetaStore, StoreError};

use logged::Tx;
use paged::{Backend, PagedFile};
use tables::{META, decode_str, io};
use user_cache::UserCache;
use view::{Shared, Snapshot};
use wal::Wal;
use writer::Writer;

/// redb's own default page cache.
const DEFAULT_CACHE_BYTES: usize = 1 << 30;

/// The redb-backed [`souk_actors::Store`].
pub struct EmbeddedStore {
    /// What reads see; closed with the store (in-flight reads keep their own
    /// snapshot until done).
    shared: Arc<Shared>,
    writer: Writer,
    users: Arc<UserCache>,
    #[cfg(test)]
    pages: Arc<PagedFile>,
}

impl EmbeddedStore {
    /// Opens (or creates) the store file at `path`, replaying the write-ahead
    /// log a crash left. Fails if another process has it open. The page cache
    /// may grow to redb's default, 1 GiB.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_with_cache(path, DEFAULT_CACHE_BYTES)
    }

    /// As [`Self::open`], with a page cache of at most `cache_bytes`.
    pub fn open_with_cache(path: &Path, cache_bytes: usize) -> Result<Self, StoreError> {
        let cannot = |e: &dyn std::fmt::Display| {
            StoreError::Unavailable(format!("cannot open store {}: {e}", path.display()))
        };
        let pages = Arc::new(PagedFile::open(path).map_err(|e| cannot(&e))?);
        let db = Database::builder()
            .set_cache_size(cache_bytes)
            .create_with_backend(Backend(pages.clone()))
            .map_err(|e| cannot(&e))?;
        let db = Arc::new(db);
        let next = recover(&db, path)?;
        pages.flush_all().map_err(io)?;
        wal::retire(path, next - 1).map_err(io)?;
        let wal = Wal::create(path, next).map_err(io)?;
        let users = Arc::new(UserCache::default());
        let shared = Arc::new(Shared::new(&db, logged::TABLES)?);
        let writer = Writer::start(db, pages.clone(), wal, users.clone(), shared.clone())?;
        Ok(Self {
            shared,
            writer,
            users,
            #[cfg(test)]
            pages,
        })
    }

    /// Commits everything queued, stops the writer and releases the file, so the
    /// data dir can be opened again (by this process or another).
    pub async fn close(&self) {
        self.writer.stop().await;
        self.shared.close();
    }

    /// Write transactions committed since opening; each is one fsync.
    pub fn commits(&self) -> u64 {
        self.writer.commits()
    }

    /// Checkpoints that have applied rows to redb since opening.
    pub fn checkpoints(&self) -> u64 {
        self.shared.settled()
    }

    /// Runs `f` on a snapshot on the calling thread. Reads are short (point
    /// lookups and bounded pages from memory and the page cache); a hop to
    /// the blocking pool cost more than the read itself (thread wake-ups were
    /// the top of the checkout profile).
    async fn read<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        F: FnOnce(&Snapshot) -> Result<R, StoreError>,
    {
        f(&self.shared.snapshot()?)
    }

    async fn write<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Tx) -> Result<R, StoreError> + Send + 'static,
    {
        self.writer.submit(f).await
    }
}

/// Creates missing tables and replays the log's segments, oldest first, on top
/// of the last checkpoint. Returns the number for the next segment.
fn recover(db: &Database, path: &Path) -> Result<u64, StoreError> {
    let txn = db.begin_write().map_err(io)?;
    logged::create_all(&txn)?;
    txn.commit().map_err(io)?;
    let segments = wal::segments(path).map_err(io)?;
    let mut batches = 0usize;
    for (seq, segment) in &segments {
        let txn = db.begin_write().map_err(io)?;
        for batch in wal::read_segment(*seq, segment).map_err(io)? {
            logged::replay(&txn, &batch)?;
            batches += 1;
        }
        txn.commit().map_err(io)?;
    }
    if batches > 0 {
        tracing::info!(
            batches,
            segments = segments.len(),
            "replayed the store's write-ahead log"
        );
    }
    Ok(segments.last().map_or(1, |(seq, _)| seq + 1))
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
