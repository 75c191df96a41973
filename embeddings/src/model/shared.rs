//! An async front for [`Embedder`] that never blocks the tokio runtime and
//! batches concurrent callers.
//!
//! One worker thread owns the model's turn: callers queue jobs and await the
//! answer. The encoder already uses every core for one pass, so passes run
//! one at a time; but every job waiting when a pass starts rides along in it
//! (up to [`BATCH_SIZE`] texts). Packed texts cost little more together than
//! apart, so four concurrent one-line queries take about as long as one,
//! instead of queueing behind each other. Small jobs (shoppers' queries) go
//! before large ones (catalog batches), and a job passed over twice goes
//! first, so neither side starves.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;

use tokio::sync::oneshot;

use super::{BATCH_SIZE, Embedder, Matmul, ModelError};
use crate::vector::Vector;

/// How many passes a job may be passed over before it goes first.
const MAX_PASSED_OVER: u32 = 2;

type Reply = oneshot::Sender<Result<Vec<Vector>, ModelError>>;

struct Job {
    texts: Vec<String>,
    reply: Reply,
    passed_over: u32,
}

/// A cheaply clonable, `Send + Sync` handle to one [`Embedder`] for async code.
#[derive(Clone)]
pub struct SharedEmbedder {
    embedder: Arc<Embedder>,
    jobs: mpsc::Sender<Job>,
}

impl SharedEmbedder {
    /// Wraps a loaded embedder and starts its worker thread, which stops when
    /// the last handle is dropped.
    pub fn new(embedder: Embedder) -> Self {
        let embedder = Arc::new(embedder);
        let (jobs, queue) = mpsc::channel();
        let worker = Arc::clone(&embedder);
        let started = std::thread::Builder::new()
            .name("souk-embedder".to_owned())
            .spawn(move || run(&worker, &queue));
        if let Err(e) = started {
            // Without a worker every call answers `ModelError::Worker`.
            tracing::error!(error = %e, "could not start the embedding worker");
        }
        Self { embedder, jobs }
    }

    /// Loads the model from `dir` on the blocking pool.
    pub async fn load(dir: PathBuf) -> Result<Self, ModelError> {
        Self::load_with(dir, Matmul::Auto).await
    }

    /// [`SharedEmbedder::load`] with a choice of matrix products.
    pub async fn load_with(dir: PathBuf, matmul: Matmul) -> Result<Self, ModelError> {
        let embedder = tokio::task::spawn_blocking(move || Embedder::load_with(&dir, matmul))
            .await
            .map_err(|e| ModelError::Worker(e.to_string()))??;
        Ok(Self::new(embedder))
    }

    /// The embedder itself, for synchronous callers already off the runtime.
    pub fn embedder(&self) -> &Arc<Embedder> {
        &self.embedder
    }

    /// Embeds `texts` on the worker thread, in one pass with whatever else
    /// is waiting; see [`Embedder::embed`].
    pub async fn embed(&self, texts: Vec<String>) -> Result<Vec<Vector>, ModelError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let (reply, answer) = oneshot::channel();
        let job = Job {
            texts,
            reply,
            passed_over: 0,
        };
        let gone = || ModelError::Worker("the embedding worker failed".to_owned());
        self.jobs.send(job).map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }

    /// Embeds one text; see [`SharedEmbedder::embed`].
    pub async fn embed_one(&self, text: String) -> Result<Vector, ModelError> {
        self.embed(vec![text])
            .await?
            .pop()
            .ok_or_else(|| ModelError::Worker("no vector returned".to_owned()))
    }
}

/// The worker: one pass per round over the jobs waiting at its start.
fn run(embedder: &Embedder, queue: &mpsc::Receiver<Job>) {
    let mut waiting: Vec<Job> = Vec::new();
    loop {
        if waiting.is_empty() {
            match queue.recv() {
                Ok(job) => waiting.push(job),
                Err(_) => return,
            }
        }
        waiting.extend(queue.try_iter());
        let pass = next_pass(&mut waiting);
        // A bug that panics fails this pass's callers (their replies are
        // dropped), not every later one.
        if catch_unwind(AssertUnwindSafe(|| embed_pass(embedder, pass))).is_err() {
            tracing::error!("an embedding pass panicked; its requests failed");
        }
    }
}

/// Takes the jobs for the next pass out of `waiting` (in arrival order):
/// a job passed over too often first, then the smallest jobs while they fit
/// in [`BATCH_SIZE`] texts; always at least one job.
fn next_pass(waiting: &mut Vec<Job>) -> Vec<Job> {
    let mut order: Vec<usize> = (0..waiting.len()).collect();
    order.sort_by_key(|&i| {
        let job = &waiting[i];
        (job.passed_over < MAX_PASSED_OVER, job.texts.len())
    });
    let mut chosen = vec![false; waiting.len()];
    let mut room = BATCH_SIZE;
    for (n, &i) in order.iter().enumerate() {
        let size = waiting[i].texts.len();
        if n == 0 || size <= room {
            chosen[i] = true;
            room = room.saturating_sub(size);
        }
    }
    let mut pass = Vec::new();
    let mut kept = Vec::new();
    for (job, take) in waiting.drain(..).zip(chosen) {
        if take {
            pass.push(job);
        } else {
            kept.push(Job {
                passed_over: job.passed_over + 1,
                ..job
            });
        }
    }
    *waiting = kept;
    pass
}

/// Embeds every text of `jobs` in one call and answers each job with its
/// own vectors. If the pass fails, each job is retried alone so it gets its
/// own error.
fn embed_pass(embedder: &Embedder, jobs: Vec<Job>) {
    let texts: Vec<&str> = jobs
        .iter()
        .flat_map(|job| job.texts.iter().map(String::as_str))
        .collect();
    match embedder.embed(&texts) {
        Ok(vectors) => {
            let mut vectors = vectors.into_iter();
            for job in jobs {
                let own: Vec<Vector> = vectors.by_ref().take(job.texts.len()).collect();
                // A caller that gave up has dropped its receiver; nothing to do.
                let _ = job.reply.send(Ok(own));
            }
        }
        Err(_) if jobs.len() > 1 => {
            for job in jobs {
                let refs: Vec<&str> = job.texts.iter().map(String::as_str).collect();
                let _ = job.reply.send(embedder.embed(&refs));
            }
        }
        Err(e) => {
            for job in jobs {
                let _ = job.reply.send(Err(ModelError::Worker(e.to_string())));
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn job(size: usize, passed_over: u32) -> Job {
        Job {
            texts: vec![String::new(); size],
            reply: oneshot::channel().0,
            passed_over,
        }
    }

    fn sizes(jobs: &[Job]) -> Vec<usize> {
        jobs.iter().map(|j| j.texts.len()).collect()
    }

    #[test]
    fn small_jobs_ride_along_and_large_ones_wait_their_turn() {
        let mut waiting = vec![job(32, 0), job(1, 0), job(1, 0), job(20, 0)];
        let pass = next_pass(&mut waiting);
        assert_eq!(sizes(&pass), vec![1, 1, 20]);
        assert_eq!(sizes(&waiting), vec![32]);
        assert_eq!(waiting[0].passed_over, 1);
        assert_eq!(sizes(&next_pass(&mut waiting)), vec![32]);
        assert!(waiting.is_empty());
    }

    #[test]
    fn a_job_passed_over_twice_goes_first() {
        let mut waiting = vec![job(30, 2), job(1, 0), job(5, 0)];
        let pass = next_pass(&mut waiting);
        assert_eq!(sizes(&pass), vec![30, 1]);
        assert_eq!(sizes(&waiting), vec![5]);
    }

    #[test]
    fn an_oversized_job_goes_alone() {
        let mut waiting = vec![job(100, 0)];
        assert_eq!(sizes(&next_pass(&mut waiting)), vec![100]);
    }
}
