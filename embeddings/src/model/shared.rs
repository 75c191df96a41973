//! An async front for [`Embedder`] that never blocks the tokio runtime and
//! keeps shoppers' queries apart from catalog batches.
//!
//! - Catalog batches ([`SharedEmbedder::embed_catalog`]) run as
//!   [`background`](crate::background) jobs, at the lowest CPU priority and a
//!   full batch per pass: they get whatever CPU time the node leaves over.
//! - Queries ([`SharedEmbedder::embed_query`]) go to one worker thread at the
//!   normal priority, with threads of its own for the encoder's matrix
//!   products. A query that comes while a catalog is being embedded takes the
//!   cores from it at once, so it is answered about as fast as on an idle
//!   node. Every query waiting when a pass starts rides along in it (up to
//!   [`QUERY_PASS_TEXTS`]): packed texts cost little more together than
//!   apart, so concurrent shoppers do not queue behind each other.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;

use tokio::sync::oneshot;

use super::{Embedder, Matmul, ModelError};
use crate::background;
use crate::vector::Vector;

/// Most queries embedded in one pass.
pub const QUERY_PASS_TEXTS: usize = 16;

/// One shopper's query waiting for its vector.
struct Query {
    text: String,
    reply: oneshot::Sender<Result<Vector, ModelError>>,
}

/// A cheaply clonable, `Send + Sync` handle to one [`Embedder`] for async code.
#[derive(Clone)]
pub struct SharedEmbedder {
    embedder: Arc<Embedder>,
    queries: mpsc::Sender<Query>,
}

impl SharedEmbedder {
    /// Wraps a loaded embedder and starts its query worker, which stops when
    /// the last handle is dropped.
    pub fn new(embedder: Embedder) -> Result<Self, ModelError> {
        let not_started = |e: &dyn std::fmt::Display| {
            ModelError::Worker(format!("could not start the query worker: {e}"))
        };
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(cores)
            .thread_name(|i| format!("souk-query-{i}"))
            .build()
            .map_err(|e| not_started(&e))?;
        let embedder = Arc::new(embedder);
        let (queries, queue) = mpsc::channel();
        let worker = Arc::clone(&embedder);
        std::thread::Builder::new()
            .name("souk-queries".to_owned())
            .spawn(move || answer_queries(&worker, &pool, &queue))
            .map_err(|e| not_started(&e))?;
        Ok(Self { embedder, queries })
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
        Self::new(embedder)
    }

    /// The embedder itself, for synchronous callers already off the runtime.
    pub fn embedder(&self) -> &Arc<Embedder> {
        &self.embedder
    }

    /// Embeds a shopper's query, in one pass with the other queries waiting.
    pub async fn embed_query(&self, text: String) -> Result<Vector, ModelError> {
        // Background kernels step aside until this query has its vector.
        let _in_flight = background::QueryInFlight::start();
        let (reply, answer) = oneshot::channel();
        let gone = || ModelError::Worker("the query worker failed".to_owned());
        self.queries
            .send(Query { text, reply })
            .map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }

    /// Embeds product texts in the background (see the module docs); see
    /// [`Embedder::embed`].
    pub async fn embed_catalog(&self, texts: Vec<String>) -> Result<Vec<Vector>, ModelError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let embedder = Arc::clone(&self.embedder);
        background::run(move || {
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            embedder.embed(&texts)
        })
        .await
        .unwrap_or_else(|| Err(ModelError::Worker("embedding products failed".to_owned())))
    }
}

/// The query worker: one pass per round over the queries waiting at its
/// start, on `pool`'s threads.
fn answer_queries(embedder: &Embedder, pool: &rayon::ThreadPool, queue: &mpsc::Receiver<Query>) {
    while let Ok(first) = queue.recv() {
        let mut pass = vec![first];
        pass.extend(queue.try_iter().take(QUERY_PASS_TEXTS - 1));
        // A bug that panics fails this pass's queries (their replies are
        // dropped), not every later one.
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            pool.install(|| embed_pass(embedder, pass));
        }));
        if outcome.is_err() {
            tracing::error!("embedding queries panicked; those searches failed");
        }
    }
}

/// Embeds every query of the pass together. If that fails, each is retried
/// alone so only the query at fault gets the error.
fn embed_pass(embedder: &Embedder, pass: Vec<Query>) {
    let texts: Vec<&str> = pass.iter().map(|q| q.text.as_str()).collect();
    match embedder.embed(&texts) {
        Ok(vectors) => {
            for (query, vector) in pass.into_iter().zip(vectors) {
                // A caller that gave up has dropped its receiver.
                let _ = query.reply.send(Ok(vector));
            }
        }
        Err(_) if pass.len() > 1 => {
            for query in pass {
                let _ = query.reply.send(embedder.embed_one(&query.text));
            }
        }
        Err(e) => {
            if let Some(query) = pass.into_iter().next() {
                let _ = query.reply.send(Err(e));
            }
        }
    }
}
