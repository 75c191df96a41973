//! The checkpoint thread: writes frozen pages into the store file, then
//! retires the log segments they cover.

use std::path::{Path, PathBuf};
use std::sync::Arc;
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
}

impl Checkpoints {
    pub fn start(pages: Arc<PagedFile>, base: PathBuf) -> Result<Self, StoreError> {
        let (tx, rx) = mpsc::channel::<(Arc<Frozen>, u64)>();
        let thread = std::thread::Builder::new()
            .name("souk-store-checkpoint".into())
            .spawn(move || {
                for (frozen, through) in rx {
                    checkpoint(&pages, &base, &frozen, through);
                }
            })
            .map_err(io)?;
        Ok(Self {
            queue: Some(tx),
            thread: Some(thread),
        })
    }

    pub fn send(&self, frozen: Arc<Frozen>, through: u64) {
        if let Some(queue) = &self.queue {
            let _ = queue.send((frozen, through));
        }
    }

    /// Waits for the running checkpoint, if any, and stops the thread.
    pub fn stop(&mut self) {
        self.queue.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Retries until the checkpoint is written: until then its pages must stay
/// readable from memory, and its log segments kept.
fn checkpoint(pages: &PagedFile, base: &Path, frozen: &Arc<Frozen>, through: u64) {
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
                std::thread::sleep(wait);
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
