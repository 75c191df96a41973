//! Group commit for the hot one-row writes (placing an order, appending to
//! a timeline, saving a cart, creating a ticket): the writes of one kind
//! that callers make at the same time go to PostgreSQL as one array-valued
//! statement, so a busy node pays one round trip and one commit for many
//! checkouts instead of one each.
//!
//! Each kind has one writer task. It takes the first waiting write and the
//! other writes already queued (up to [`MAX_ROWS`]; a second write of one
//! key waits for the next statement, and so do that key's later writes),
//! runs the statement, and answers each caller with its own row's outcome. A quiet
//! node sends each write alone, at once; under load a statement is as big
//! as what queued while the previous one ran.
//!
//! A fenced view's writes queue too, with their fence: a statement holds
//! writes of one fence only (the others wait for a later statement, keeping
//! each key's order), and runs in one transaction that checks that fence
//! once, so the actors of a cluster keep group commit.

use souk_actors::store::{Fence, StoreError};
use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::hash::Hash;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;

use futures::FutureExt;
use tokio::sync::{mpsc, oneshot};

use super::PostgresStore;

/// Rows per statement, at most.
pub(super) const MAX_ROWS: usize = 64;

/// Each caller's outcome, in the order of the rows given.
pub(super) type Outcomes<R> = Result<Vec<Result<R, StoreError>>, StoreError>;

/// A running statement.
pub(super) type Run<R> = Pin<Box<dyn Future<Output = Outcomes<R>> + Send>>;

/// Runs one statement for `rows` on a store (unfenced, or the caller's
/// fenced view for a single row).
pub(super) type Runner<T, R> = fn(PostgresStore, Vec<T>) -> Run<R>;

struct Job<T, R> {
    row: T,
    /// The fence of the view that wrote it, if fenced.
    fence: Option<Arc<Fence>>,
    reply: oneshot::Sender<Result<R, StoreError>>,
}

/// The queue of one kind of write, and its writer task.
pub(super) struct Batcher<T, R> {
    queue: mpsc::UnboundedSender<Job<T, R>>,
}

impl<T: Send + 'static, R: Send + 'static> Batcher<T, R> {
    /// Starts the writer for statement `name`, running batches on `store`
    /// (a view without batchers, so the writer does not keep the pool's
    /// owners alive). `key` names what one statement may write only once.
    pub fn start<K: Eq + Hash + Clone + Send + 'static>(
        name: &'static str,
        store: PostgresStore,
        key: fn(&T) -> K,
        run: Runner<T, R>,
    ) -> Self {
        let (queue, jobs) = mpsc::unbounded_channel();
        let mut intake = Intake {
            jobs,
            held: VecDeque::new(),
        };
        tokio::spawn(async move {
            while let Some(batch) = intake.next(key).await {
                metrics::histogram!("souk_store_commit_batch_size", "statement" => name)
                    .record(batch.len() as f64);
                let fence = batch.first().and_then(|j| j.fence.clone());
                let (rows, replies): (Vec<T>, Vec<_>) =
                    batch.into_iter().map(|j| (j.row, j.reply)).unzip();
                let expected = rows.len();
                let view = PostgresStore {
                    fence,
                    ..store.clone()
                };
                // A bug that panics fails this statement's writes, not the
                // writer: later writes of the kind still go through.
                let ran = AssertUnwindSafe(run(view, rows))
                    .catch_unwind()
                    .await
                    .unwrap_or_else(|_| {
                        tracing::error!(statement = name, "a batched write panicked");
                        Err(StoreError::Unavailable(format!("{name} failed")))
                    });
                match ran {
                    Ok(outcomes) if outcomes.len() == expected => {
                        for (reply, outcome) in replies.into_iter().zip(outcomes) {
                            let _ = reply.send(outcome);
                        }
                    }
                    Ok(_) => {
                        let e = StoreError::Corrupt(format!("{name}: a row went unanswered"));
                        for reply in replies {
                            let _ = reply.send(Err(e.clone()));
                        }
                    }
                    Err(e) => {
                        for reply in replies {
                            let _ = reply.send(Err(e.clone()));
                        }
                    }
                }
            }
        });
        Self { queue }
    }

    /// Queues `row` (written under `fence`, if any) and waits for its
    /// statement's outcome.
    pub async fn submit(&self, row: T, fence: Option<Arc<Fence>>) -> Result<R, StoreError> {
        let stopped = || StoreError::Unavailable("the PostgreSQL writer has stopped".into());
        let (reply, answer) = oneshot::channel();
        let job = Job { row, fence, reply };
        self.queue.send(job).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// Writes looked at for one statement at most: those not taken wait.
const LOOKED_AT: usize = 4 * MAX_ROWS;

struct Intake<T, R> {
    jobs: mpsc::UnboundedReceiver<Job<T, R>>,
    /// Writes held back from the last statements (another fence, or a key
    /// already in them), in the order they came.
    held: VecDeque<Job<T, R>>,
}

impl<T, R> Intake<T, R> {
    /// The next statement's writes: the oldest waiting write, and those
    /// after it of the same fence and other keys (a key held back holds its
    /// later writes back too, so each key's writes keep their order).
    /// `None` once every sender is gone.
    async fn next<K: Eq + Hash + Clone>(&mut self, key: fn(&T) -> K) -> Option<Vec<Job<T, R>>> {
        let first = match self.held.pop_front() {
            Some(job) => job,
            None => self.jobs.recv().await?,
        };
        let mut waiting = std::mem::take(&mut self.held);
        while waiting.len() < LOOKED_AT {
            let Ok(job) = self.jobs.try_recv() else { break };
            waiting.push_back(job);
        }
        let mut keys = HashSet::from([key(&first.row)]);
        let mut blocked: HashSet<K> = HashSet::new();
        let fence = first.fence.clone();
        let mut batch = vec![first];
        for job in waiting {
            let k = key(&job.row);
            let fits = batch.len() < MAX_ROWS
                && job.fence == fence
                && !blocked.contains(&k)
                && !keys.contains(&k);
            if fits {
                keys.insert(k);
                batch.push(job);
            } else {
                blocked.insert(k);
                self.held.push_back(job);
            }
        }
        Some(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows of a statement's writes.
    fn rows(batch: Option<Vec<Job<u32, ()>>>) -> Vec<u32> {
        batch
            .unwrap_or_default()
            .into_iter()
            .map(|j| j.row)
            .collect()
    }

    fn job(n: u32) -> (Job<u32, ()>, oneshot::Receiver<Result<(), StoreError>>) {
        fenced_job(n, None)
    }

    fn fenced_job(
        n: u32,
        fence: Option<Arc<Fence>>,
    ) -> (Job<u32, ()>, oneshot::Receiver<Result<(), StoreError>>) {
        let (reply, answer) = oneshot::channel();
        (
            Job {
                row: n,
                fence,
                reply,
            },
            answer,
        )
    }

    #[tokio::test]
    async fn a_batch_takes_what_queued_and_holds_a_repeated_key_back() {
        let (queue, jobs) = mpsc::unbounded_channel();
        let mut intake = Intake {
            jobs,
            held: VecDeque::new(),
        };
        let mut answers = Vec::new();
        for n in [1, 2, 3, 2, 4] {
            let (job, answer) = job(n);
            answers.push(answer);
            assert!(queue.send(job).is_ok());
        }
        assert_eq!(rows(intake.next(|n| *n).await), [1, 2, 3, 4]);
        assert_eq!(rows(intake.next(|n| *n).await), [2]);
        drop(queue);
        assert!(intake.next(|n| *n).await.is_none());
    }

    fn panics_on_13(_: PostgresStore, rows: Vec<u32>) -> Run<()> {
        Box::pin(async move {
            assert!(!rows.contains(&13), "a bug");
            Ok(rows.iter().map(|_| Ok(())).collect())
        })
    }

    #[tokio::test]
    async fn a_panicking_statement_fails_its_writes_not_the_writer() {
        let Some(database) = crate::testing::TestDatabase::create().await else {
            return;
        };
        let writer = Batcher::start("test", database.store().await, |n: &u32| *n, panics_on_13);
        assert!(matches!(
            writer.submit(13, None).await,
            Err(StoreError::Unavailable(_))
        ));
        assert_eq!(
            writer.submit(1, None).await,
            Ok(()),
            "the writer still writes"
        );
    }

    #[tokio::test]
    async fn a_batch_holds_at_most_max_rows() {
        let (queue, jobs) = mpsc::unbounded_channel();
        let mut intake = Intake {
            jobs,
            held: VecDeque::new(),
        };
        let mut answers = Vec::new();
        for n in 0..(MAX_ROWS as u32 + 5) {
            let (job, answer) = job(n);
            answers.push(answer);
            assert!(queue.send(job).is_ok());
        }
        assert_eq!(intake.next(|n| *n).await.map(|b| b.len()), Some(MAX_ROWS));
        assert_eq!(intake.next(|n| *n).await.map(|b| b.len()), Some(5));
    }

    #[tokio::test]
    async fn a_statement_holds_one_fence_and_keys_keep_their_order() {
        let (queue, jobs) = mpsc::unbounded_channel();
        let mut intake = Intake {
            jobs,
            held: VecDeque::new(),
        };
        let a = Some(Arc::new(Fence::new("orders/1", 5)));
        let b = Some(Arc::new(Fence::new("orders/2", 9)));
        let mut answers = Vec::new();
        // Key 2 comes under fence b first, then again under a: the second
        // must not overtake the first.
        for (n, fence) in [(1, &a), (2, &b), (3, &a), (2, &a), (4, &b), (5, &a)] {
            let (job, answer) = fenced_job(n, fence.clone());
            answers.push(answer);
            assert!(queue.send(job).is_ok());
        }
        assert_eq!(rows(intake.next(|n| *n).await), [1, 3, 5]);
        assert_eq!(rows(intake.next(|n| *n).await), [2, 4]);
        assert_eq!(rows(intake.next(|n| *n).await), [2]);
    }
}
