//! An async front for [`Embedder`] that never blocks the tokio runtime and
//! batches concurrent callers.
//!
//! One worker thread owns the model's turn: callers queue jobs and await the
//! answer. The encoder already uses every core for one pass, so passes run
//! one at a time; but every job waiting when a pass starts rides along in it
//! (up to [`PASS_TEXTS`] texts while shoppers search, a full batch when
//! nobody has for a moment). Packed texts cost little more together than
//! apart, so four concurrent one-line queries take about as long as one,
//! instead of queueing behind each other. Small jobs (shoppers' queries) go
//! before large ones (catalog batches), and a job passed over twice goes
//! first, so neither side starves. A large job is embedded a pass at a time,
//! so a query that arrives meanwhile waits for one short pass, not for the
//! whole batch; and between the encoder's layers the worker looks for
//! queries that arrived during the pass and embeds them then, so a shopper
//! waits for one layer of a pass (a sixth of it), not the rest of the pass.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Instant;

use tokio::sync::oneshot;

use super::{Embedder, Matmul, ModelError};
use crate::vector::Vector;

/// How many passes a job may be passed over before it goes first.
const MAX_PASSED_OVER: u32 = 2;

/// Most texts in one pass while shoppers are searching: a query waits at most
/// for one layer of a pass this size (a sixth of about 40 ms of product texts
/// on the 2-core VM), see [`Breaks`].
pub const PASS_TEXTS: usize = 8;

/// Most texts in one pass when nobody has searched for [`QUIET`]: catalog
/// batches then go at full speed (a quarter faster than passes of 4).
const QUIET_PASS_TEXTS: usize = super::BATCH_SIZE;

/// How long after the last query passes stay small.
const QUIET: std::time::Duration = std::time::Duration::from_secs(2);

/// A job this small is a shopper's query, not a catalog batch.
const QUERY_TEXTS: usize = 2;

type Reply = oneshot::Sender<Result<Vec<Vector>, ModelError>>;

struct Job {
    texts: Vec<String>,
    /// Vectors of `texts[..vectors.len()]`, embedded by earlier passes.
    vectors: Vec<Vector>,
    reply: Reply,
    passed_over: u32,
}

impl Job {
    fn left(&self) -> usize {
        self.texts.len() - self.vectors.len()
    }

    fn is_query(&self) -> bool {
        self.texts.len() <= QUERY_TEXTS
    }
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
            vectors: Vec::new(),
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
    let mut last_query: Option<Instant> = None;
    loop {
        if waiting.is_empty() {
            match queue.recv() {
                Ok(job) => waiting.push(job),
                Err(_) => return,
            }
        }
        waiting.extend(queue.try_iter());
        if waiting.iter().any(Job::is_query) {
            last_query = Some(Instant::now());
        }
        let room = match last_query {
            Some(at) if at.elapsed() < QUIET => PASS_TEXTS,
            _ => QUIET_PASS_TEXTS,
        };
        let pass = next_pass(&mut waiting, room);
        let mut breaks = Breaks {
            embedder,
            queue,
            arrived: Vec::new(),
            last_query: &mut last_query,
        };
        // A bug that panics fails this pass's callers (their replies are
        // dropped), not every later one.
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            embed_pass(embedder, pass, &mut || breaks.serve())
        }));
        match outcome {
            Ok(unfinished) => waiting.extend(unfinished),
            Err(_) => tracing::error!("an embedding pass panicked; its requests failed"),
        }
        waiting.append(&mut breaks.arrived);
    }
}

/// What the worker does between two layers of a pass: embeds the queries
/// that arrived meanwhile, together, in a pass of their own, so a shopper
/// waits for one layer of a catalog pass rather than all of it; other jobs
/// that arrived wait for the next round.
struct Breaks<'a> {
    embedder: &'a Embedder,
    queue: &'a mpsc::Receiver<Job>,
    arrived: Vec<Job>,
    last_query: &'a mut Option<Instant>,
}

impl Breaks<'_> {
    fn serve(&mut self) {
        let mut queries = Vec::new();
        for job in self.queue.try_iter() {
            if job.is_query() {
                let left = job.left();
                queries.push((job, left));
            } else {
                self.arrived.push(job);
            }
        }
        if queries.is_empty() {
            return;
        }
        *self.last_query = Some(Instant::now());
        let unfinished = embed_pass(self.embedder, queries, &mut || {});
        self.arrived.extend(unfinished);
    }
}

/// Takes the next pass of at most `room` texts out of `waiting` (in arrival
/// order): a job passed over too often first, then the jobs with the fewest
/// texts left while they fit. Each chosen job comes with how many of its
/// texts this pass embeds: all it has left, except for a first job larger
/// than a pass, which gets a pass's worth.
fn next_pass(waiting: &mut Vec<Job>, room: usize) -> Vec<(Job, usize)> {
    let mut order: Vec<usize> = (0..waiting.len()).collect();
    order.sort_by_key(|&i| {
        let job = &waiting[i];
        (job.passed_over < MAX_PASSED_OVER, job.left())
    });
    let mut chosen = vec![0; waiting.len()];
    let pass_texts = room.max(1);
    let mut room = pass_texts;
    for &i in &order {
        let left = waiting[i].left();
        // Only a pass's first job is split: a query never shares its pass
        // with part of a catalog batch, which would make it as slow as one.
        let take = if room == pass_texts {
            left.min(room)
        } else if left <= room {
            left
        } else {
            continue;
        };
        chosen[i] = take;
        room -= take;
    }
    let mut pass = Vec::new();
    let mut kept = Vec::new();
    for (job, take) in waiting.drain(..).zip(chosen) {
        if take > 0 {
            pass.push((job, take));
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

/// Embeds the chosen texts of every job in one call, calling `between`
/// between its layers (see [`Breaks`]). A job with all its
/// vectors is answered; the others come back to wait for the next pass. If
/// the pass fails, each job's part is retried alone so only the job at fault
/// gets the error.
fn embed_pass(embedder: &Embedder, pass: Vec<(Job, usize)>, between: &mut dyn FnMut()) -> Vec<Job> {
    let texts: Vec<&str> = pass
        .iter()
        .flat_map(|(job, take)| chunk(job, *take))
        .collect();
    let mut unfinished = Vec::new();
    match embedder.embed_yielding(&texts, between) {
        Ok(vectors) => {
            let mut vectors = vectors.into_iter();
            for (mut job, take) in pass {
                job.vectors.extend(vectors.by_ref().take(take));
                unfinished.extend(settle(job));
            }
        }
        Err(_) if pass.len() > 1 => {
            for (mut job, take) in pass {
                match embedder.embed(&chunk(&job, take)) {
                    Ok(vectors) => {
                        job.vectors.extend(vectors);
                        unfinished.extend(settle(job));
                    }
                    Err(e) => {
                        let _ = job.reply.send(Err(e));
                    }
                }
            }
        }
        Err(e) => {
            for (job, _) in pass {
                let _ = job.reply.send(Err(ModelError::Worker(e.to_string())));
            }
        }
    }
    unfinished
}

/// The next `take` texts of `job`.
fn chunk(job: &Job, take: usize) -> Vec<&str> {
    let from = job.vectors.len();
    job.texts[from..from + take]
        .iter()
        .map(String::as_str)
        .collect()
}

/// Answers `job` if every text has its vector; otherwise hands it back.
fn settle(job: Job) -> Option<Job> {
    if job.left() > 0 {
        return Some(Job {
            passed_over: 0,
            ..job
        });
    }
    // A caller that gave up has dropped its receiver; nothing to do.
    let _ = job.reply.send(Ok(job.vectors));
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn job(size: usize, passed_over: u32) -> Job {
        Job {
            texts: vec![String::new(); size],
            vectors: Vec::new(),
            reply: oneshot::channel().0,
            passed_over,
        }
    }

    /// Each job of a pass as (texts it has, texts this pass embeds).
    fn takes(pass: &[(Job, usize)]) -> Vec<(usize, usize)> {
        pass.iter()
            .map(|(j, take)| (j.texts.len(), *take))
            .collect()
    }

    fn sizes(jobs: &[Job]) -> Vec<usize> {
        jobs.iter().map(|j| j.texts.len()).collect()
    }

    #[test]
    fn small_jobs_ride_along_and_large_ones_wait_their_turn() {
        let mut waiting = vec![job(32, 0), job(1, 0), job(1, 0), job(6, 0), job(20, 0)];
        let pass = next_pass(&mut waiting, 8);
        assert_eq!(takes(&pass), vec![(1, 1), (1, 1), (6, 6)]);
        assert_eq!(sizes(&waiting), vec![32, 20]);
        assert_eq!(waiting[0].passed_over, 1);
    }

    #[test]
    fn a_job_passed_over_twice_goes_first() {
        let mut waiting = vec![job(30, 2), job(1, 0), job(5, 0)];
        let pass = next_pass(&mut waiting, 8);
        assert_eq!(takes(&pass), vec![(30, 8)]);
        assert_eq!(sizes(&waiting), vec![1, 5]);
    }

    #[test]
    fn a_large_job_goes_a_pass_at_a_time_and_a_query_cuts_in() {
        let mut waiting = vec![job(20, 0)];
        let mut pass = next_pass(&mut waiting, PASS_TEXTS);
        assert_eq!(takes(&pass), vec![(20, PASS_TEXTS)]);
        // The pass embedded its part; the job waits for the next one.
        let (mut big, _) = pass.remove(0);
        big.vectors = vec![Vector::from_slice(&[1.0; crate::DIM]).unwrap(); PASS_TEXTS];
        assert_eq!(big.left(), 20 - PASS_TEXTS);
        waiting.push(big);
        waiting.push(job(1, 0));
        let pass = next_pass(&mut waiting, PASS_TEXTS);
        assert_eq!(takes(&pass), vec![(1, 1)], "the query goes alone");
        assert_eq!(
            takes(&next_pass(&mut waiting, PASS_TEXTS)),
            vec![(20, PASS_TEXTS)]
        );
    }
}
