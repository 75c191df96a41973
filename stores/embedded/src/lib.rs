//! The embedded store: an fjall database (an LSM tree with a journal) in one
//! directory under the data dir, no server needed.
//!
//! Reads run on the calling task against a snapshot ([`view`]). Writes go to
//! one writer thread that group-commits ([`writer`]): it applies every write
//! waiting in its queue to one batch, commits the batch to fjall atomically
//! with its journal synced, makes it visible and only then answers each
//! caller. So a returned `Ok` is durable, and a thousand concurrent writers
//! cost a handful of syncs rather than a thousand. After a crash, fjall
//! replays its journal on open.
//!
//! This crate is the default adapter of the storage ports in
//! [`souk_actors::store`]. Every failure it can report is one the ports already
//! name, so it returns their [`StoreError`] rather than an error type of its own.

mod account_tokens;
mod base;
mod carts;
mod catalog;
mod codec;
mod copy_in;
mod copy_out;
mod fences;
mod files;
mod inventory;
mod notifications;
mod orders;
mod outbox;
mod read_table;
mod tables;
mod tickets;
mod tokens;
mod tx;
mod upgrade;
mod user_cache;
mod users;
mod vectors;
mod view;
mod writer;

#[cfg(test)]
mod read_table_tests;
#[cfg(test)]
mod rollback_tests;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use souk_actors::store::copy::{CopyStore, Kind, Record};
use souk_actors::store::{Fence, Fencing, MetaStore, Store, StoreError};

use base::Base;
use tables::{META, NAMES, decode_str, io};
use tx::Tx;
use user_cache::UserCache;
use view::{Shared, Snapshot};
use writer::{Target, Writer};

/// Block cache of the default [`EmbeddedStore::open`].
const DEFAULT_CACHE_BYTES: u64 = 64 << 20;

/// Largest memtable of one table before it is sealed and written out. After a
/// crash, fjall replays only the journal entries not yet in a written table,
/// so this bounds the replay per table (and the rows held in memory).
const MEMTABLE_BYTES: u64 = 8 << 20;

/// Journal kept on disk before fjall writes out the tables that pin its
/// oldest file (fjall's least; its default is 512 MiB, which a crash then
/// had to read back at start).
const JOURNAL_BYTES: u64 = 64 << 20;

/// How an [`EmbeddedStore`] sizes its memory.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Block cache, at most.
    pub cache_bytes: u64,
    /// Largest memtable of one table before it is written out.
    pub memtable_bytes: u64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            cache_bytes: DEFAULT_CACHE_BYTES,
            memtable_bytes: MEMTABLE_BYTES,
        }
    }
}

/// The fjall-backed [`souk_actors::Store`]. A clone is another handle on the
/// same open store.
#[derive(Clone)]
pub struct EmbeddedStore {
    /// What reads see; closed with the store (in-flight reads keep their own
    /// snapshot until done).
    shared: Arc<Shared>,
    writer: Arc<Writer>,
    /// Checked by every write of a fenced view ([`Fencing`]).
    fence: Option<Arc<Fence>>,
    users: Arc<UserCache>,
    /// Whether the last group commit succeeded; see [`MetaStore::check_writable`].
    healthy: Arc<AtomicBool>,
}

impl EmbeddedStore {
    /// Opens (or creates) the store in directory `dir`, replaying the journal
    /// a crash left. Fails if another process has it open.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        Self::open_with_cache(dir, DEFAULT_CACHE_BYTES)
    }

    /// As [`Self::open`], with a block cache of at most `cache_bytes`.
    pub fn open_with_cache(dir: &Path, cache_bytes: u64) -> Result<Self, StoreError> {
        let options = Options {
            cache_bytes,
            ..Options::default()
        };
        Self::open_with(dir, options)
    }

    /// As [`Self::open`], sized by `options`.
    pub fn open_with(dir: &Path, options: Options) -> Result<Self, StoreError> {
        let cannot = |e: &dyn std::fmt::Display| {
            StoreError::Unavailable(format!("cannot open store {}: {e}", dir.display()))
        };
        files::clear_unfinished_creation(dir).map_err(|e| cannot(&e))?;
        let db = fjall::Database::builder(dir)
            .cache_size(options.cache_bytes)
            .max_journaling_size(JOURNAL_BYTES)
            .open()
            .map_err(|e| match e {
                fjall::Error::Locked => StoreError::Unavailable(format!(
                    "store {} is open in another process (is another souk running on this data dir?)",
                    dir.display()
                )),
                e => cannot(&e),
            })?;
        let keyspace =
            || fjall::KeyspaceCreateOptions::default().max_memtable_size(options.memtable_bytes);
        let spaces: Arc<[fjall::Keyspace]> = NAMES
            .iter()
            .map(|name| db.keyspace(name, keyspace))
            .collect::<Result<_, _>>()
            .map_err(|e| cannot(&e))?;
        files::sync_keyspaces(dir).map_err(|e| cannot(&e))?;
        let base = Base {
            snapshot: db.snapshot(),
            spaces,
        };
        let base = upgrade::run(&db, base)?;
        let shared = Arc::new(Shared::new(base));
        let users = Arc::new(UserCache::default());
        let healthy = Arc::new(AtomicBool::new(true));
        let writer = Arc::new(Writer::start(Target {
            db,
            shared: shared.clone(),
            users: users.clone(),
            healthy: healthy.clone(),
        })?);
        Ok(Self {
            shared,
            writer,
            fence: None,
            users,
            healthy,
        })
    }

    /// Commits everything queued, stops the writer and releases the directory,
    /// so the data dir can be opened again (by this process or another).
    pub async fn close(&self) {
        self.writer.stop().await;
        self.shared.close();
    }

    /// Group commits since opening; each is one journal sync.
    pub fn commits(&self) -> u64 {
        self.writer.commits()
    }

    /// Runs `f` on a snapshot on the calling thread. Reads are short (point
    /// lookups and bounded pages from memory and the block cache); a hop to
    /// the blocking pool cost more than the read itself.
    async fn read<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        F: FnOnce(&Snapshot) -> Result<R, StoreError>,
    {
        f(&self.shared.snapshot()?)
    }

    /// Runs `f` in the next group commit; in a fenced view, after the
    /// fence's check in the same transaction.
    async fn write<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Tx) -> Result<R, StoreError> + Send + 'static,
    {
        match self.fence.clone() {
            None => self.writer.submit(f).await,
            Some(fence) => {
                self.writer
                    .submit(move |tx| {
                        fences::check(tx, &fence)?;
                        f(tx)
                    })
                    .await
            }
        }
    }
}

#[async_trait::async_trait]
impl CopyStore for EmbeddedStore {
    async fn export(
        &self,
        kind: Kind,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Record>, StoreError> {
        let after = after.map(str::to_owned);
        self.read(move |snapshot| copy_out::export(snapshot, kind, after.as_deref(), limit))
            .await
    }

    async fn import(&self, records: &[Record]) -> Result<(), StoreError> {
        let records = records.to_vec();
        self.write(move |tx| records.iter().try_for_each(|r| copy_in::put(tx, r)))
            .await
    }

    async fn count(&self, kind: Kind) -> Result<u64, StoreError> {
        self.read(move |snapshot| copy_out::count(snapshot, kind))
            .await
    }
}

impl Fencing for EmbeddedStore {
    fn fenced(&self, fence: Fence) -> Arc<dyn Store> {
        Arc::new(Self {
            fence: Some(Arc::new(fence)),
            ..self.clone()
        })
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

    /// fjall takes no write after one that failed to reach its journal
    /// (it marks itself poisoned) until it is opened again, so after a failed
    /// group commit this answers `Err` until a later one succeeds.
    async fn check_writable(&self) -> Result<(), StoreError> {
        if self.healthy.load(Ordering::Relaxed) {
            Ok(())
        } else {
            Err(StoreError::Unavailable(
                "the last write to the store failed; fjall takes no more until the node restarts"
                    .into(),
            ))
        }
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
