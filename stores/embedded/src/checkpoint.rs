//! The checkpoint thread: applies a frozen in-memory generation to redb, writes
//! redb's dirty pages into the store file, then retires the log segments they
//! cover.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Sender};
use std::time::{Duration, Instant};

use redb::Database;
use souk_actors::store::StoreError;

use super::logged::apply_rows;
use super::memtable::Mem;
use super::paged::PagedFile;
use super::tables::io;
use super::view::Shared;
use super::wal;

/// What a checkpoint works on.
pub struct Target {
    pub db: Arc<Database>,
    pub pages: Arc<PagedFile>,
    pub shared: Arc<Shared>,
    /// The log's base path.
    pub base: PathBuf,
}

/// The checkpoint thread.
pub struct Checkpoints {
    queue: Option<Sender<(Arc<Mem>, u64)>>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// Set on stop: a failing checkpoint stops retrying (the log keeps its
    /// writes for the next start).
    stopping: Arc<AtomicBool>,
}

impl Checkpoints {
    pub fn start(target: Arc<Target>) -> Result<Self, StoreError> {
        let (tx, rx) = mpsc::channel::<(Arc<Mem>, u64)>();
        let stopping = Arc::new(AtomicBool::new(false));
        let stop = stopping.clone();
        let thread = std::thread::Builder::new()
            .name("souk-store-checkpoint".into())
            .spawn(move || {
                for (frozen, through) in rx {
                    checkpoint(&target, &frozen, through, &stop);
                }
            })
            .map_err(io)?;
        Ok(Self {
            queue: Some(tx),
            thread: Some(thread),
            stopping,
        })
    }

    /// Checkpoints `frozen`, whose rows are all in log segments up to `through`.
    pub fn send(&self, frozen: Arc<Mem>, through: u64) {
        if let Some(queue) = &self.queue {
            let _ = queue.send((frozen, through));
        }
    }

    /// Waits for the checkpoints sent, or gives up on a failing one, and stops
    /// the thread.
    pub fn stop(&mut self) {
        self.stopping.store(true, Ordering::Relaxed);
        self.queue.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Applies `frozen`'s rows to redb in one transaction; reads then find them
/// there.
pub fn settle(target: &Target, frozen: &Arc<Mem>) -> Result<usize, StoreError> {
    let rows = frozen.latest()?;
    let txn = target.db.begin_write().map_err(io)?;
    apply_rows(&txn, &rows)?;
    txn.commit().map_err(io)?;
    let base = target.db.begin_read().map_err(io)?;
    target.shared.settle(frozen, base)?;
    Ok(rows.iter().map(Vec::len).sum())
}

/// Retries `step` until it succeeds, or the store stops (`None`).
fn retry<T>(stopping: &AtomicBool, mut step: impl FnMut() -> Result<T, String>) -> Option<T> {
    let mut wait = Duration::from_millis(100);
    loop {
        match step() {
            Ok(done) => return Some(done),
            Err(e) => {
                tracing::error!(error = %e, retry_in = ?wait, "store checkpoint failed");
                metrics::counter!("souk_store_checkpoint_failures_total").increment(1);
                let until = Instant::now() + wait;
                while Instant::now() < until {
                    if stopping.load(Ordering::Relaxed) {
                        return None;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                wait = (wait * 2).min(Duration::from_secs(10));
            }
        }
    }
}

/// Puts `frozen` into redb and redb's pages into the file, then drops the log
/// segments up to `through`. Until then the rows stay readable from memory,
/// and the log keeps them. Answers whether it finished.
pub fn checkpoint(target: &Target, frozen: &Arc<Mem>, through: u64, stopping: &AtomicBool) -> bool {
    let started = Instant::now();
    let Some(rows) = retry(stopping, || {
        settle(target, frozen).map_err(|e| e.to_string())
    }) else {
        return false;
    };
    let Some(pages) = retry(stopping, || {
        target.pages.flush_all().map_err(|e| e.to_string())
    }) else {
        return false;
    };
    metrics::histogram!("souk_store_checkpoint_seconds").record(started.elapsed().as_secs_f64());
    metrics::counter!("souk_store_checkpoint_rows_total").increment(rows as u64);
    metrics::counter!("souk_store_checkpoint_pages_total").increment(pages as u64);
    if let Err(e) = wal::retire(&target.base, through) {
        tracing::warn!(error = %e, "could not drop checkpointed log segments; they replay harmlessly");
    }
    true
}
