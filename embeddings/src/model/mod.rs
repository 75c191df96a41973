//! Local sentence embeddings with all-MiniLM-L6-v2 on the CPU (candle).
//!
//! [`Embedder`] runs the BERT encoder, mean-pools the token states over the
//! attention mask and L2-normalises the result, exactly like the
//! sentence-transformers pipeline of the model. Inputs are truncated at 256
//! tokens (the model's `max_seq_length`) and packed without padding (see
//! `encoder.rs`). [`SharedEmbedder`] wraps it for async code; [`files`] finds, verifies and
//! fetches the model directory (`souk model fetch`).

mod encoder;
mod fetch;
pub mod files;
mod kernels;
mod shared;

use std::path::{Path, PathBuf};

use candle_core::Device;
use candle_nn::VarBuilder;
use candle_transformers::models::bert::Config;
use thiserror::Error;
use tokenizers::{Tokenizer, TruncationParams};

use encoder::{Encoder, WEIGHTS_DTYPE};

use crate::vector::{DIM, Vector, VectorError};

pub use fetch::{PACKAGE, fetch};
pub use files::{
    CONFIG_FILE, MODEL_SHA256, PINNED_FILES, TOKENIZER_FILE, WEIGHTS_FILE, default_model_dir,
    is_present, verify,
};
pub use shared::SharedEmbedder;

/// Longest input in tokens, special tokens included; longer texts are truncated.
pub const MAX_TOKENS: usize = 256;

/// How many texts go through the encoder at once.
pub const BATCH_SIZE: usize = 32;

/// How to get a working model directory; part of every "model missing" message.
pub const FETCH_HINT: &str = "run `souk model fetch` to install it";

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
    /// A model file does not have its pinned SHA-256.
    #[error("model file {} has SHA-256 {actual}, expected {expected}; delete it and {FETCH_HINT}", path.display())]
    Checksum {
        /// The file.
        path: PathBuf,
        /// The pinned hash.
        expected: &'static str,
        /// The hash found.
        actual: String,
    },
    /// Fetching the model failed.
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

/// How the encoder multiplies matrices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Matmul {
    /// bf16 on Intel AMX tiles (f32 sums) when the CPU and OS allow it, f32
    /// otherwise. The reference test holds both to sentence-transformers.
    #[default]
    Auto,
    /// f32 on any CPU (candle's `gemm`, AVX-512 or AVX2 when present).
    F32,
}

/// The all-MiniLM-L6-v2 encoder and its tokenizer, on the CPU. `Send + Sync`:
/// share one in an `Arc` (or use [`SharedEmbedder`]).
pub struct Embedder {
    encoder: Encoder,
    tokenizer: Tokenizer,
}

impl Embedder {
    /// Loads `config.json`, `tokenizer.json` and `model.safetensors` from `dir`.
    /// Missing or damaged files give a [`ModelError`] that names the fix; the
    /// weights' checksum is not recomputed here (see [`verify`]).
    pub fn load(dir: &Path) -> Result<Self, ModelError> {
        Self::load_with(dir, Matmul::Auto)
    }

    /// [`Embedder::load`] with a choice of matrix products.
    pub fn load_with(dir: &Path, matmul: Matmul) -> Result<Self, ModelError> {
        let device = Device::Cpu;
        let config = load_config(&dir.join(CONFIG_FILE))?;
        let tokenizer = load_tokenizer(&dir.join(TOKENIZER_FILE))?;
        let weights_path = dir.join(WEIGHTS_FILE);
        let weights = read(&weights_path)?;
        let invalid = |e: candle_core::Error| ModelError::Invalid {
            path: weights_path.clone(),
            reason: e.to_string(),
        };
        let vb = VarBuilder::from_buffered_safetensors(weights, WEIGHTS_DTYPE, &device)
            .map_err(invalid)?;
        let encoder = Encoder::load(vb, &config, matmul).map_err(invalid)?;
        tracing::debug!(
            dir = %dir.display(),
            amx = encoder.uses_tiles(),
            "loaded embedding model"
        );
        Ok(Self { encoder, tokenizer })
    }

    /// Whether the matrix products run in bf16 on AMX tiles (see [`Matmul`]).
    pub fn uses_amx(&self) -> bool {
        self.encoder.uses_tiles()
    }

    /// Embeds each text into a unit-length [`Vector`], in order, [`BATCH_SIZE`]
    /// texts per encoder pass. Blocks the calling thread for the whole
    /// computation, using every core: the matrix products run on the rayon
    /// pool it is called in (see [`SharedEmbedder`]), the other steps on
    /// threads it starts.
    ///
    /// The texts of a pass are packed one after the other with no padding,
    /// so a short text costs the same whatever it is batched with.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vector>, ModelError> {
        let mut out = Vec::with_capacity(texts.len());
        for batch in texts.chunks(BATCH_SIZE) {
            let encodings = self
                .tokenizer
                .encode_batch(batch.to_vec(), true)
                .map_err(|e| ModelError::Tokenize(e.to_string()))?;
            let ids: Vec<&[u32]> = encodings.iter().map(|e| e.get_ids()).collect();
            for row in self.encoder.forward(&ids)? {
                out.push(Vector::from_slice(&row)?);
            }
        }
        Ok(out)
    }

    /// Embeds one text.
    pub fn embed_one(&self, text: &str) -> Result<Vector, ModelError> {
        self.embed(&[text])?
            .pop()
            .ok_or_else(|| ModelError::Worker("no vector returned".to_owned()))
    }
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
    // The shipped tokenizer.json pads every text to 128 tokens; the encoder
    // packs texts without any padding.
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
