//! The group-commit writer thread of the embedded store.
//!
//! Each batch is applied through [`Tx`], which keeps its rows and records the
//! changes; the record is appended to the write-ahead log and synced, and only
//! then are the rows put in the in-memory generation ([`super::memtable`]),
//! made visible and the callers answered. So nothing is visible before it is
//! durable. About once a second the writer starts a new log segment, freezes
//! the generation and hands it to the checkpoint thread, which applies it to
//! redb, writes redb's pages to the store file and then drops the log segments
//! they cover.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use redb::Database;
use souk_actors::store::StoreError;
use tokio::sync::oneshot;

use super::checkpoint::{self, Checkpoints, Target};
use super::logged::Tx;
use super::memtable::Tables;
use super::paged::PagedFile;
use super::tables::io;
use super::user_cache::UserCache;
use super::view::{Shared, View};
use super::wal::{Kind, Wal};

/// Most writes folded into one transaction.
const MAX_BATCH: usize = 1024;
/// A checkpoint starts at least this often while there are writes...
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);
/// ...and sooner once the log segment holds this much.
const CHECKPOINT_LOG_BYTES: u64 = 8 << 20;

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

pub struct Writer {
    commits: Arc<AtomicU64>,
    queue: Mutex<Option<Sender<Msg>>>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Writer {
    /// Starts the writer on a store whose log has been replayed and retired;
    /// `wal` is the fresh segment it appends to. Accounts a batch changes are
    /// dropped from `users` once the batch is visible, before it is answered.
    pub fn start(
        db: Arc<Database>,
        pages: Arc<PagedFile>,
        wal: Wal,
        users: Arc<UserCache>,
        shared: Arc<Shared>,
    ) -> Result<Self, StoreError> {
        let (tx, rx) = mpsc::channel();
        let commits = Arc::new(AtomicU64::new(0));
        let counter = commits.clone();
        let target = Arc::new(Target {
            db,
            pages,
            shared,
            base: wal.base().to_owned(),
        });
        let checkpoints = Checkpoints::start(target.clone())?;
        let mut log = Log {
            target,
            wal,
            checkpoints,
            users,
            last: Instant::now(),
            broken: false,
        };
        let thread = std::thread::Builder::new()
            .name("souk-store-writer".into())
            .spawn(move || run(&rx, &counter, &mut log))
            .map_err(io)?;
        Ok(Self {
            commits,
            queue: Mutex::new(Some(tx)),
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Transactions committed (or attempted) so far.
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

/// The log and checkpoint side of the writer thread.
struct Log {
    target: Arc<Target>,
    wal: Wal,
    checkpoints: Checkpoints,
    users: Arc<UserCache>,
    last: Instant,
    /// Set when a logged batch could neither be made visible nor cancelled in
    /// the log: later writes are refused, since a restart would replay it.
    broken: bool,
}

impl Log {
    /// Starts a checkpoint when one is due and none is pending.
    fn maybe_checkpoint(&mut self) {
        let due = self.last.elapsed() >= CHECKPOINT_EVERY || self.wal.len() >= CHECKPOINT_LOG_BYTES;
        if !due || self.wal.len() == 0 || self.target.shared.checkpoint_pending() {
            return;
        }
        self.last = Instant::now();
        let through = match self.wal.rotate() {
            Ok(done) => done,
            Err(e) => {
                tracing::error!(error = %e, "could not start a new log segment; checkpoint put off");
                return;
            }
        };
        match self.target.shared.rotate() {
            Ok(Some(frozen)) => self.checkpoints.send(frozen, through),
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "could not freeze rows for a checkpoint"),
        }
    }

    /// Puts everything in redb and the store file and drops the whole log.
    /// Used when stopping.
    fn finish(&mut self) {
        self.checkpoints.stop();
        let stopping = AtomicBool::new(true);
        let done = match self.target.shared.rotate() {
            Ok(Some(frozen)) => {
                checkpoint::checkpoint(&self.target, &frozen, self.wal.seq(), &stopping)
            }
            _ => false,
        };
        if !done {
            tracing::error!("final checkpoint failed; the log replays on the next start");
        }
    }

    /// Logs and syncs a batch's changes, then makes its rows visible.
    fn commit(&mut self, view: &View, rows: Tables, changes: &[u8]) -> Result<(), StoreError> {
        if changes.is_empty() {
            return Ok(());
        }
        self.wal.append(Kind::Batch, changes).map_err(io)?;
        metrics::counter!("souk_store_log_bytes_total").increment(changes.len() as u64);
        let seq = self.target.shared.visible() + 1;
        if let Err(e) = view.active.insert(seq, rows) {
            if let Err(cancel) = self.wal.append(Kind::Cancel, &[]) {
                tracing::error!(error = %cancel, "could not cancel a logged batch that failed to apply");
                self.broken = true;
            }
            return Err(e);
        }
        self.target.shared.publish(seq);
        Ok(())
    }
}

fn run(rx: &Receiver<Msg>, commits: &AtomicU64, log: &mut Log) {
    loop {
        let first = match rx.recv_timeout(CHECKPOINT_EVERY) {
            Ok(msg) => msg,
            Err(RecvTimeoutError::Timeout) => {
                log.maybe_checkpoint();
                continue;
            }
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
            commit_batch(log, jobs);
            commits.fetch_add(1, Ordering::Relaxed);
            log.maybe_checkpoint();
        }
        if let Some(done) = stop {
            log.finish();
            let _ = done.send(());
            return;
        }
    }
    log.finish();
}

fn commit_batch(log: &mut Log, mut jobs: Vec<Box<dyn Job>>) {
    let started = Instant::now();
    let size = jobs.len();
    let outcome = if log.broken {
        Err(StoreError::Unavailable(
            "the store's log is damaged; restart to recover".into(),
        ))
    } else {
        match log.target.shared.view() {
            Err(e) => Err(e),
            Ok(view) => {
                let tx = Tx::new(view);
                for job in &mut jobs {
                    job.apply(&tx);
                }
                let (view, rows, changes, users) = tx.finish();
                let committed = log.commit(&view, rows, &changes);
                for id in users {
                    log.users.forget(id);
                }
                committed
            }
        }
    };
    if let Err(e) = &outcome {
        tracing::error!(error = %e, batch = size, "store commit failed");
    }
    metrics::histogram!("souk_store_commit_seconds").record(started.elapsed().as_secs_f64());
    metrics::histogram!("souk_store_commit_batch_size").record(size as f64);
    for job in jobs {
        job.finish(outcome.clone());
    }
}
