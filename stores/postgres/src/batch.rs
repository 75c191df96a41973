//! Group commit for the hot one-row writes (placing an order, appending to
//! a timeline, saving a cart, creating a ticket): the writes of one kind
//! that callers make at the same time go to PostgreSQL as one array-valued
//! statement, so a busy node pays one round trip and one commit for many
//! checkouts instead of one each.
//!
//! Each kind has one writer task. It takes the first waiting write, every
//! other write already queued (up to [`MAX_ROWS`], and stopping at a second
//! write of one key, which waits for the next statement), runs the
//! statement, and answers each caller with its own row's outcome. A quiet
//! node sends each write alone, at once; under load a statement is as big
//! as what queued while the previous one ran. Writes of a fenced view do
//! not queue: they run alone in their fence's transaction.

use souk_actors::store::StoreError;
use std::collections::HashSet;
use std::future::Future;
use std::hash::Hash;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;

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
    pub fn start<K: Eq + Hash + Send + 'static>(
        name: &'static str,
        store: PostgresStore,
        key: fn(&T) -> K,
        run: Runner<T, R>,
    ) -> Self {
        let (queue, jobs) = mpsc::unbounded_channel();
        let mut intake = Intake { jobs, held: None };
        tokio::spawn(async move {
            while let Some(batch) = intake.next(key).await {
                metrics::histogram!("souk_store_commit_batch_size", "statement" => name)
                    .record(batch.len() as f64);
                let (rows, replies): (Vec<T>, Vec<_>) =
                    batch.into_iter().map(|j| (j.row, j.reply)).unzip();
                let expected = rows.len();
                // A bug that panics fails this statement's writes, not the
                // writer: later writes of the kind still go through.
                let ran = AssertUnwindSafe(run(store.clone(), rows))
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

    /// Queues `row` and waits for its statement's outcome.
    pub async fn submit(&self, row: T) -> Result<R, StoreError> {
        let stopped = || StoreError::Unavailable("the PostgreSQL writer has stopped".into());
        let (reply, answer) = oneshot::channel();
        self.queue.send(Job { row, reply }).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

struct Intake<T, R> {
    jobs: mpsc::UnboundedReceiver<Job<T, R>>,
    /// A write held back from the last statement (its key was in it).
    held: Option<Job<T, R>>,
}

impl<T, R> Intake<T, R> {
    /// The next statement's writes; `None` once every sender is gone.
    async fn next<K: Eq + Hash>(&mut self, key: fn(&T) -> K) -> Option<Vec<Job<T, R>>> {
        let first = match self.held.take() {
            Some(job) => job,
            None => self.jobs.recv().await?,
        };
        let mut keys = HashSet::from([key(&first.row)]);
        let mut batch = vec![first];
        while batch.len() < MAX_ROWS {
            let Ok(job) = self.jobs.try_recv() else { break };
            if !keys.insert(key(&job.row)) {
                self.held = Some(job);
                break;
            }
            batch.push(job);
        }
        Some(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(n: u32) -> (Job<u32, ()>, oneshot::Receiver<Result<(), StoreError>>) {
        let (reply, answer) = oneshot::channel();
        (Job { row: n, reply }, answer)
    }

    #[tokio::test]
    async fn a_batch_takes_what_queued_and_stops_at_a_repeated_key() {
        let (queue, jobs) = mpsc::unbounded_channel();
        let mut intake = Intake { jobs, held: None };
        let mut answers = Vec::new();
        for n in [1, 2, 3, 2, 4] {
            let (job, answer) = job(n);
            answers.push(answer);
            assert!(queue.send(job).is_ok());
        }
        let rows = |batch: Option<Vec<Job<u32, ()>>>| -> Vec<u32> {
            batch
                .unwrap_or_default()
                .into_iter()
                .map(|j| j.row)
                .collect()
        };
        assert_eq!(rows(intake.next(|n| *n).await), [1, 2, 3]);
        assert_eq!(rows(intake.next(|n| *n).await), [2, 4]);
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
            writer.submit(13).await,
            Err(StoreError::Unavailable(_))
        ));
        assert_eq!(writer.submit(1).await, Ok(()), "the writer still writes");
    }

    #[tokio::test]
    async fn a_batch_holds_at_most_max_rows() {
        let (queue, jobs) = mpsc::unbounded_channel();
        let mut intake = Intake { jobs, held: None };
        let mut answers = Vec::new();
        for n in 0..(MAX_ROWS as u32 + 5) {
            let (job, answer) = job(n);
            answers.push(answer);
            assert!(queue.send(job).is_ok());
        }
        assert_eq!(intake.next(|n| *n).await.map(|b| b.len()), Some(MAX_ROWS));
        assert_eq!(intake.next(|n| *n).await.map(|b| b.len()), Some(5));
    }
}
