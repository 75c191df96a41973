//! The group-commit writer thread of the embedded store.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use redb::{Database, WriteTransaction};
use souk_actors::store::StoreError;
use tokio::sync::oneshot;

use super::tables::io;

/// Most writes folded into one transaction.
const MAX_BATCH: usize = 1024;

/// One caller's write: applied inside the batch transaction, then answered with
/// the batch's commit outcome.
trait Job: Send {
    fn apply(&mut self, txn: &WriteTransaction);
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
    F: FnOnce(&WriteTransaction) -> Result<R, StoreError> + Send,
{
    fn apply(&mut self, txn: &WriteTransaction) {
        if let Some(write) = self.write.take() {
            self.result = Some(write(txn));
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
    pub fn start(db: Arc<Database>) -> Result<Self, StoreError> {
        let (tx, rx) = mpsc::channel();
        let commits = Arc::new(AtomicU64::new(0));
        let counter = commits.clone();
        let thread = std::thread::Builder::new()
            .name("souk-store-writer".into())
            .spawn(move || run(&db, &rx, &counter))
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

    /// Runs `write` in the next group commit and answers once it is durable. An
    /// `Err` from `write` must mean it wrote nothing; other writes are unaffected.
    pub async fn submit<R, F>(&self, write: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&WriteTransaction) -> Result<R, StoreError> + Send + 'static,
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

fn run(db: &Database, rx: &Receiver<Msg>, commits: &AtomicU64) {
    while let Ok(first) = rx.recv() {
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
            commit_batch(db, jobs);
            commits.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(done) = stop {
            let _ = done.send(());
            return;
        }
    }
}

fn commit_batch(db: &Database, mut jobs: Vec<Box<dyn Job>>) {
    let started = Instant::now();
    let size = jobs.len();
    let outcome = match db.begin_write() {
        Err(e) => Err(io(e)),
        Ok(txn) => {
            let applied = catch_unwind(AssertUnwindSafe(|| {
                for job in &mut jobs {
                    job.apply(&txn);
                }
            }));
            if applied.is_ok() {
                txn.commit().map_err(io)
            } else {
                // A write panicked part-way: drop the whole transaction so nothing
                // half-applied is kept, and tell every caller.
                let _ = txn.abort();
                Err(StoreError::Unavailable(
                    "a write in this batch failed; nothing was committed".into(),
                ))
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
