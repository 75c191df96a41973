//! The group-commit writer thread of the embedded store.
//!
//! It takes every write waiting in its queue (up to [`MAX_BATCH`]), applies
//! them to one [`Tx`], commits the batch's rows to fjall as one atomic batch
//! whose journal is synced before the commit returns, and only then makes the
//! batch visible to reads and answers each caller. So a returned `Ok` is
//! durable, nothing is visible before it is durable, and a thousand
//! concurrent writers cost a handful of syncs rather than a thousand.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fjall::{Database, PersistMode};
use souk_actors::store::StoreError;
use tokio::sync::oneshot;

use super::base::{Base, Rows};
use super::tables::io;
use super::tx::Tx;
use super::user_cache::UserCache;
use super::view::Shared;

/// Most writes folded into one batch.
const MAX_BATCH: usize = 1024;
/// How often the engine's gauges (journal, memtables, pending flushes) are read.
const GAUGES_EVERY: Duration = Duration::from_secs(1);

/// One caller's write: applied inside the batch transaction, then answered with
/// the batch's commit outcome.
trait Job: Send {
    fn apply(&mut self, txn: &Tx);
    fn finish(self: Box<Self>, commit: Result<(), StoreError>);
}

struct Pending<F, R> {
    write: Option<F>,
    result: Option<Result<R, StoreError>>,
    reply: oneshot::Sender<Result<R, StoreError>>,
}

impl<F, R> Job for Pending<F, R>
where
    R: Send,
    F: FnOnce(&Tx) -> Result<R, StoreError> + Send,
{
    /// Runs the write; if it fails (or panics) part-way, undoes what it wrote,
    /// so an `Err` means it wrote nothing and the batch's other writes stand.
    fn apply(&mut self, txn: &Tx) {
        if let Some(write) = self.write.take() {
            let point = txn.savepoint();
            let result = catch_unwind(AssertUnwindSafe(|| write(txn))).unwrap_or_else(|_| {
                Err(StoreError::Unavailable(
                    "the write failed part-way; nothing of it was kept".into(),
                ))
            });
            if result.is_ok() {
                txn.release(point);
            } else {
                txn.rollback(point);
            }
            self.result = Some(result);
        }
    }

    fn finish(self: Box<Self>, commit: Result<(), StoreError>) {
        let result = match (commit, self.result) {
            (Err(e), _) => Err(e),
            (Ok(()), Some(result)) => result,
            (Ok(()), None) => Err(StoreError::Unavailable("write was not applied".into())),
        };
        let _ = self.reply.send(result);
    }
}

enum Msg {
    Job(Box<dyn Job>),
    Stop(oneshot::Sender<()>),
}

/// What the writer thread commits to.
pub struct Target {
    pub db: Database,
    pub shared: Arc<Shared>,
    pub users: Arc<UserCache>,
    /// Whether the last group commit succeeded.
    pub healthy: Arc<AtomicBool>,
}

pub struct Writer {
    commits: Arc<AtomicU64>,
    queue: Mutex<Option<Sender<Msg>>>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Writer {
    /// Starts the writer thread. Accounts a batch changes are dropped from
    /// `target.users` once the batch is visible, before it is answered.
    pub fn start(target: Target) -> Result<Self, StoreError> {
        let (tx, rx) = mpsc::channel();
        let commits = Arc::new(AtomicU64::new(0));
        let counter = commits.clone();
        let thread = std::thread::Builder::new()
            .name("souk-store-writer".into())
            .spawn(move || run(&rx, &counter, &target))
            .map_err(io)?;
        Ok(Self {
            commits,
            queue: Mutex::new(Some(tx)),
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Batches committed (or attempted) so far.
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// Runs `write` in the next group commit and answers once it is durable. If
    /// `write` answers `Err` (or panics), what it wrote is undone; the other
    /// writes of its batch are unaffected.
    pub async fn submit<R, F>(&self, write: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Tx) -> Result<R, StoreError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        self.send(Msg::Job(Box::new(Pending {
            write: Some(write),
            result: None,
            reply,
        })))?;
        answer
            .await
            .map_err(|_| StoreError::Unavailable("store writer stopped".into()))?
    }

    /// Lets the writer finish what is queued, then stops its thread (which
    /// releases its database handle). Later writes fail.
    pub async fn stop(&self) {
        let (done, stopped) = oneshot::channel();
        if self.send(Msg::Stop(done)).is_ok() {
            let _ = stopped.await;
        }
        if let Ok(mut queue) = self.queue.lock() {
            queue.take();
        }
        let thread = self.thread.lock().ok().and_then(|mut t| t.take());
        if let Some(thread) = thread {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }

    fn send(&self, msg: Msg) -> Result<(), StoreError> {
        let closed = || StoreError::Unavailable("store is shut down".into());
        let queue = self.queue.lock().map_err(|_| closed())?;
        queue
            .as_ref()
            .ok_or_else(closed)?
            .send(msg)
            .map_err(|_| closed())
    }
}

fn run(rx: &Receiver<Msg>, commits: &AtomicU64, target: &Target) {
    let mut gauges = Instant::now();
    loop {
        if gauges.elapsed() >= GAUGES_EVERY {
            gauges = Instant::now();
            engine_gauges(&target.db);
        }
        let first = match rx.recv_timeout(GAUGES_EVERY) {
            Ok(msg) => msg,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        let mut jobs = Vec::new();
        let mut stop = None;
        let mut next = Some(first);
        while let Some(msg) = next {
            match msg {
                Msg::Job(job) => jobs.push(job),
                Msg::Stop(done) => {
                    stop = Some(done);
                    break;
                }
            }
            next = if jobs.len() < MAX_BATCH {
                rx.try_recv().ok()
            } else {
                None
            };
        }
        if !jobs.is_empty() {
            commit_batch(target, jobs);
            commits.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(done) = stop {
            persist(target);
            let _ = done.send(());
            return;
        }
    }
    persist(target);
}

/// The engine's own state: its journal on disk, the rows it holds in memory
/// (memtables), its block cache, and memtables waiting to be written out as
/// tables (a backlog means the disk is not keeping up).
fn engine_gauges(db: &Database) {
    if let Ok(bytes) = db.journal_disk_space() {
        metrics::gauge!("souk_store_journal_bytes").set(bytes as f64);
    }
    metrics::gauge!("souk_store_flushes_pending").set(db.outstanding_flushes() as f64);
    metrics::gauge!("souk_store_memtable_bytes").set(db.write_buffer_size() as f64);
    metrics::gauge!("souk_store_cache_bytes").set(db.cache_size() as f64);
}

/// Syncs everything fjall holds, at stop.
fn persist(target: &Target) {
    if let Err(e) = target.db.persist(PersistMode::SyncAll) {
        tracing::error!(error = %e, "could not sync the store at stop");
    }
}

/// Writes a batch's rows to fjall as one atomic batch and syncs its journal.
/// Answers the committed state that includes them.
pub fn commit_rows(db: &Database, base: &Base, rows: Vec<Rows>) -> Result<Base, StoreError> {
    let mut batch = db.batch().durability(Some(PersistMode::SyncData));
    let mut bytes = 0;
    for (table, space) in rows.into_iter().zip(base.spaces.iter()) {
        for (key, row) in table {
            let key = key.into_vec();
            bytes += key.len() + row.as_ref().map_or(0, |v| v.len());
            match row {
                Some(value) => batch.insert(space, key, value),
                None => batch.remove(space, key),
            }
        }
    }
    if batch.is_empty() {
        return Ok(base.clone());
    }
    batch.commit().map_err(|e| {
        metrics::counter!("souk_store_commit_failures_total").increment(1);
        io(e)
    })?;
    metrics::counter!("souk_store_written_bytes_total").increment(bytes as u64);
    Ok(Base {
        snapshot: db.snapshot(),
        spaces: base.spaces.clone(),
    })
}

fn commit_batch(target: &Target, mut jobs: Vec<Box<dyn Job>>) {
    let started = Instant::now();
    let size = jobs.len();
    let outcome = target.shared.base().and_then(|base| {
        let tx = Tx::new(base);
        for job in &mut jobs {
            job.apply(&tx);
        }
        let (base, rows, users) = tx.finish();
        let committed = commit_rows(&target.db, &base, rows)?;
        target.shared.publish(committed)?;
        for id in users {
            target.users.forget(id);
        }
        Ok(())
    });
    if let Err(e) = &outcome {
        tracing::error!(error = %e, batch = size, "store commit failed");
    }
    target.healthy.store(outcome.is_ok(), Ordering::Relaxed);
    metrics::histogram!("souk_store_commit_seconds").record(started.elapsed().as_secs_f64());
    metrics::histogram!("souk_store_commit_batch_size").record(size as f64);
    for job in jobs {
        job.finish(outcome.clone());
    }
}
