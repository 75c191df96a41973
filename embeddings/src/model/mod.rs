//! Local sentence embeddings with all-MiniLM-L6-v2 on the CPU (candle).
//!
//! [`Embedder`] runs the BERT encoder, mean-pools the token states over the
//! attention mask and L2-normalises the result, exactly like the
//! sentence-transformers pipeline of the model. Inputs are truncated at 256
//! tokens (the model's `max_seq_length`), grouped by length and padded to the
//! longest text of each batch. [`SharedEmbedder`] wraps it for async code; [`files`] finds, verifies and
//! fetches the model directory.

mod batches;
pub mod files;
mod shared;

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config, DTYPE};
use thiserror::Error;
use tokenizers::{Encoding, Tokenizer, TruncationParams};

use crate::vector::{DIM, Vector, VectorError};

pub use files::{
    CONFIG_FILE, MODEL_SHA256, TOKENIZER_FILE, WEIGHTS_FILE, default_model_dir, ensure_fetched,
    ensure_fetched_with, verify,
};
pub use shared::SharedEmbedder;

/// Longest input in tokens, special tokens included; longer texts are truncated.
pub const MAX_TOKENS: usize = 256;

/// How many texts go through the encoder at once.
pub const BATCH_SIZE: usize = 32;

/// How to get a working model directory; part of every "model missing" message.
pub const FETCH_HINT: &str = "run scripts/fetch-model.sh (or `souk model fetch`) to install it";

/// Why the model could not be loaded, fetched or run.
#[derive(Debug, Error)]
pub enum ModelError {
    /// A required model file does not exist.
    #[error("model file {} is missing; {FETCH_HINT}", path.display())]
    Missing {
        /// The file that was looked for.
        path: PathBuf,
    },
    /// A model file exists but could not be read.
    #[error("could not read model file {}: {source}; {FETCH_HINT}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O failure.
        source: std::io::Error,
    },
    /// A model file is there but unusable (truncated, corrupt or the wrong model).
    #[error("model file {} is invalid ({reason}); delete it and {FETCH_HINT}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        reason: String,
    },
    /// The weights do not have the pinned SHA-256.
    #[error("model file {} has SHA-256 {actual}, expected {expected}; delete it and {FETCH_HINT}", path.display())]
    Checksum {
        /// The weights file.
        path: PathBuf,
        /// The pinned hash.
        expected: &'static str,
        /// The hash found.
        actual: String,
    },
    /// Running the fetch script failed.
    #[error("fetching the model failed: {0}")]
    Fetch(String),
    /// A text could not be tokenised.
    #[error("tokenisation failed: {0}")]
    Tokenize(String),
    /// The encoder failed on a batch.
    #[error("inference failed: {0}")]
    Inference(#[from] candle_core::Error),
    /// The encoder produced something that is not a sentence vector.
    #[error("the model produced a bad vector: {0}")]
    BadOutput(#[from] VectorError),
    /// The blocking task running the model died.
    #[error("the embedding worker failed: {0}")]
    Worker(String),
}

/// The all-MiniLM-L6-v2 encoder and its tokenizer, on the CPU. `Send + Sync`:
/// share one in an `Arc` (or use [`SharedEmbedder`]).
pub struct Embedder {
    model: BertModel,
    tokenizer: Tokenizer,
    device: Device,
}

impl Embedder {
    /// Loads `config.json`, `tokenizer.json` and `model.safetensors` from `dir`.
    /// Missing or damaged files give a [`ModelError`] that names the fix; the
    /// weights' checksum is not recomputed here (see [`verify`]).
    pub fn load(dir: &Path) -> Result<Self, ModelError> {
        let device = Device::Cpu;
        let config = load_config(&dir.join(CONFIG_FILE))?;
        let tokenizer = load_tokenizer(&dir.join(TOKENIZER_FILE))?;
        let weights_path = dir.join(WEIGHTS_FILE);
        let weights = read(&weights_path)?;
        let invalid = |e: candle_core::Error| ModelError::Invalid {
            path: weights_path.clone(),
            reason: e.to_string(),
        };
        let vb = VarBuilder::from_buffered_safetensors(weights, DTYPE, &device).map_err(invalid)?;
        let model = BertModel::load(vb, &config).map_err(invalid)?;
        tracing::debug!(dir = %dir.display(), "loaded embedding model");
        Ok(Self {
            model,
            tokenizer,
            device,
        })
    }

    /// Embeds each text into a unit-length [`Vector`], in order. Blocks the
    /// calling thread for the whole computation.
    ///
    /// The texts are tokenised, sorted by length and run through the encoder
    /// in batches of at most [`BATCH_SIZE`] texts of similar length, so that
    /// short texts are not padded to the length of a long one; the vectors
    /// come back in the order of `texts`.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vector>, ModelError> {
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| ModelError::Tokenize(e.to_string()))?;
        let lengths: Vec<usize> = encodings.iter().map(|e| e.get_ids().len()).collect();
        let mut out: Vec<Option<Vector>> = vec![None; texts.len()];
        for batch in batches::plan(&lengths, BATCH_SIZE, batches::BATCH_OVERHEAD_TOKENS) {
            let rows: Vec<&Encoding> = batch.iter().map(|&i| &encodings[i]).collect();
            for (i, vector) in batch.into_iter().zip(self.embed_batch(&rows)?) {
                out[i] = Some(vector);
            }
        }
        out.into_iter()
            .map(|v| v.ok_or_else(|| ModelError::Worker("a text was not embedded".to_owned())))
            .collect()
    }

    /// Embeds one text.
    pub fn embed_one(&self, text: &str) -> Result<Vector, ModelError> {
        self.embed(&[text])?
            .pop()
            .ok_or_else(|| ModelError::Worker("no vector returned".to_owned()))
    }

    /// Runs one batch, padded to its longest text.
    fn embed_batch(&self, encodings: &[&Encoding]) -> Result<Vec<Vector>, ModelError> {
        let rows = encodings.len();
        let width = encodings
            .iter()
            .map(|e| e.get_ids().len())
            .max()
            .unwrap_or(0);
        let mut ids = vec![0u32; rows * width];
        let mut mask = vec![0u32; rows * width];
        for (row, encoding) in encodings.iter().enumerate() {
            let start = row * width;
            let len = encoding.get_ids().len();
            ids[start..start + len].copy_from_slice(encoding.get_ids());
            mask[start..start + len].copy_from_slice(encoding.get_attention_mask());
        }
        let ids = Tensor::from_vec(ids, (rows, width), &self.device)?;
        let mask = Tensor::from_vec(mask, (rows, width), &self.device)?;
        let type_ids = ids.zeros_like()?;
        let hidden = self.model.forward(&ids, &type_ids, Some(&mask))?;
        let pooled = mean_pool(&hidden, &mask)?;
        let normalised = l2_normalise(&pooled)?;
        normalised
            .to_vec2::<f32>()?
            .iter()
            .map(|row| Vector::from_slice(row).map_err(ModelError::from))
            .collect()
    }
}

/// Averages token states `(batch, tokens, dim)` over the tokens the mask keeps.
fn mean_pool(hidden: &Tensor, mask: &Tensor) -> candle_core::Result<Tensor> {
    let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
    let summed = hidden.broadcast_mul(&mask)?.sum(1)?;
    let counts = mask.sum(1)?.clamp(1e-9f32, f32::MAX)?;
    summed.broadcast_div(&counts)
}

/// Scales every row of `(batch, dim)` to unit length.
fn l2_normalise(rows: &Tensor) -> candle_core::Result<Tensor> {
    let norms = rows
        .sqr()?
        .sum_keepdim(1)?
        .sqrt()?
        .clamp(1e-12f32, f32::MAX)?;
    rows.broadcast_div(&norms)
}

fn read(path: &Path) -> Result<Vec<u8>, ModelError> {
    std::fs::read(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => ModelError::Missing {
            path: path.to_owned(),
        },
        _ => ModelError::Read {
            path: path.to_owned(),
            source,
        },
    })
}

fn load_config(path: &Path) -> Result<Config, ModelError> {
    let bytes = read(path)?;
    let config: Config = serde_json::from_slice(&bytes).map_err(|e| ModelError::Invalid {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    if config.hidden_size != DIM {
        return Err(ModelError::Invalid {
            path: path.to_owned(),
            reason: format!("hidden size {} is not {DIM}", config.hidden_size),
        });
    }
    Ok(config)
}

fn load_tokenizer(path: &Path) -> Result<Tokenizer, ModelError> {
    let bytes = read(path)?;
    let invalid = |reason: String| ModelError::Invalid {
        path: path.to_owned(),
        reason,
    };
    let mut tokenizer = Tokenizer::from_bytes(&bytes).map_err(|e| invalid(e.to_string()))?;
    // The shipped tokenizer.json pads every text to 128 tokens; batches are
    // padded by `embed_batch` instead, to their longest text.
    tokenizer.with_padding(None);
    tokenizer
        .with_truncation(Some(TruncationParams {
            max_length: MAX_TOKENS,
            ..TruncationParams::default()
        }))
        .map_err(|e| invalid(e.to_string()))?;
    Ok(tokenizer)
}

/// Compile-time proof that the embedder can be shared between threads.
const _: fn() = || {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Embedder>();
};
