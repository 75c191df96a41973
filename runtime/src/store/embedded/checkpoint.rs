//! The checkpoint thread: writes frozen pages into the store file, then
//! retires the log segments they cover.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Sender};
use std::time::{Duration, Instant};

use souk_actors::store::StoreError;

use super::paged::{Frozen, PagedFile};
use super::tables::io;
use super::wal;

/// The checkpoint thread: writes frozen pages to the file, then retires the
/// log segments they cover.
pub struct Checkpoints {
    queue: Option<Sender<(Arc<Frozen>, u64)>>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// Set on stop: a failing checkpoint stops retrying (the log keeps its
    /// writes for the next start).
    stopping: Arc<AtomicBool>,
}

impl Checkpoints {
    pub fn start(pages: Arc<PagedFile>, base: PathBuf) -> Result<Self, StoreError> {
        let (tx, rx) = mpsc::channel::<(Arc<Frozen>, u64)>();
        let stopping = Arc::new(AtomicBool::new(false));
        let stop = stopping.clone();
        let thread = std::thread::Builder::new()
            .name("souk-store-checkpoint".into())
            .spawn(move || {
                for (frozen, through) in rx {
                    checkpoint(&pages, &base, &frozen, through, &stop);
                }
            })
            .map_err(io)?;
        Ok(Self {
            queue: Some(tx),
            thread: Some(thread),
            stopping,
        })
    }

    pub fn send(&self, frozen: Arc<Frozen>, through: u64) {
        if let Some(queue) = &self.queue {
            let _ = queue.send((frozen, through));
        }
    }

    /// Waits for the running checkpoint, if any, and stops the thread.
    pub fn stop(&mut self) {
        self.stopping.store(true, Ordering::Relaxed);
        self.queue.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Retries until the checkpoint is written, or the store stops: until then its
/// pages must stay readable from memory, and its log segments kept.
fn checkpoint(
    pages: &PagedFile,
    base: &Path,
    frozen: &Arc<Frozen>,
    through: u64,
    stopping: &AtomicBool,
) {
    let mut wait = Duration::from_millis(100);
    loop {
        let started = Instant::now();
        match pages.write_checkpoint(frozen) {
            Ok(()) => {
                metrics::histogram!("souk_store_checkpoint_seconds")
                    .record(started.elapsed().as_secs_f64());
                metrics::counter!("souk_store_checkpoint_pages_total")
                    .increment(frozen.pages() as u64);
                break;
            }
            Err(e) => {
                tracing::error!(error = %e, retry_in = ?wait, "store checkpoint failed");
                metrics::counter!("souk_store_checkpoint_failures_total").increment(1);
                let until = Instant::now() + wait;
                while Instant::now() < until {
                    if stopping.load(Ordering::Relaxed) {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                wait = (wait * 2).min(Duration::from_secs(10));
            }
        }
    }
    if let Err(e) = wal::retire(base, through) {
        tracing::warn!(error = %e, "could not drop checkpointed log segments; they replay harmlessly");
    }
    if let Err(e) = pages.release(frozen) {
        tracing::error!(error = %e, "could not release checkpointed pages");
    }
}
