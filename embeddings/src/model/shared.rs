//! An async front for [`Embedder`] that never blocks the tokio runtime.
//!
//! Each call runs on tokio's blocking pool (`spawn_blocking`). The encoder
//! already uses every core for one batch, so calls are admitted one at a time
//! through a semaphore: callers queue asynchronously instead of piling
//! CPU-bound threads onto a small machine.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::Semaphore;

use super::{Embedder, ModelError};
use crate::vector::Vector;

/// A cheaply clonable, `Send + Sync` handle to one [`Embedder`] for async code.
#[derive(Clone)]
pub struct SharedEmbedder {
    embedder: Arc<Embedder>,
    permits: Arc<Semaphore>,
}

impl SharedEmbedder {
    /// Wraps a loaded embedder.
    pub fn new(embedder: Embedder) -> Self {
        Self {
            embedder: Arc::new(embedder),
            permits: Arc::new(Semaphore::new(1)),
        }
    }

    /// Loads the model from `dir` on the blocking pool.
    pub async fn load(dir: PathBuf) -> Result<Self, ModelError> {
        let embedder = tokio::task::spawn_blocking(move || Embedder::load(&dir))
            .await
            .map_err(|e| ModelError::Worker(e.to_string()))??;
        Ok(Self::new(embedder))
    }

    /// The embedder itself, for synchronous callers already off the runtime.
    pub fn embedder(&self) -> &Arc<Embedder> {
        &self.embedder
    }

    /// Embeds `texts` on the blocking pool; see [`Embedder::embed`].
    pub async fn embed(&self, texts: Vec<String>) -> Result<Vec<Vector>, ModelError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| ModelError::Worker(e.to_string()))?;
        let embedder = Arc::clone(&self.embedder);
        tokio::task::spawn_blocking(move || {
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            embedder.embed(&refs)
        })
        .await
        .map_err(|e| ModelError::Worker(e.to_string()))?
    }

    /// Embeds one text; see [`SharedEmbedder::embed`].
    pub async fn embed_one(&self, text: String) -> Result<Vector, ModelError> {
        self.embed(vec![text])
            .await?
            .pop()
            .ok_or_else(|| ModelError::Worker("no vector returned".to_owned()))
    }
}
