//! The BERT encoder of all-MiniLM-L6-v2, written for CPU inference on packed
//! texts.
//!
//! The tokens of all texts in a batch are stacked into one `(tokens, hidden)`
//! matrix with no padding: the matrix products (candle, `gemm`) see every
//! token of the batch at once, and attention ([`kernels::Attention`]) keeps
//! each text to itself. The query, key and value projections are fused into
//! one product. Mean pooling and L2 normalisation follow, as in
//! sentence-transformers. Same weights and maths as candle-transformers'
//! `BertModel`; the reference test holds it to sentence-transformers.

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::Config;

use super::Matmul;
use super::kernels::{self, Attention, BiasGelu, BiasResidualNorm, TileProduct};

/// A weight matrix `(out, in)` as in the checkpoint, in the form the chosen
/// [`Matmul`] multiplies.
enum Weight {
    F32(Tensor),
    Tiles(souk_simd::amx::Weights),
}

/// A dense layer: its weight and its bias.
struct Dense {
    weight: Weight,
    bias: Vec<f32>,
}

impl Dense {
    fn load(
        vb: &VarBuilder,
        names: &[&str],
        (inputs, outputs): (usize, usize),
        matmul: Matmul,
    ) -> candle_core::Result<Self> {
        let mut weights = Vec::new();
        let mut bias = Vec::new();
        for name in names {
            let vb = vb.pp(*name);
            weights.push(vb.get((outputs, inputs), "weight")?);
            bias.extend(vb.get(outputs, "bias")?.to_vec1::<f32>()?);
        }
        let weight = Tensor::cat(&weights, 0)?;
        let tiles = match matmul {
            Matmul::Auto if souk_simd::amx::available() => {
                let values = weight.flatten_all()?.to_vec1::<f32>()?;
                souk_simd::amx::Weights::pack(&values, bias.len(), inputs)
            }
            Matmul::Auto | Matmul::F32 => None,
        };
        let weight = tiles.map_or(Weight::F32(weight), Weight::Tiles);
        Ok(Self { weight, bias })
    }

    /// `x · weightᵀ`, without the bias (the kernel that follows adds it).
    fn product(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        match &self.weight {
            Weight::F32(weight) => x.matmul(&weight.t()?),
            Weight::Tiles(weights) => x.apply_op1_no_bwd(&TileProduct { weights }),
        }
    }
}

struct Norm {
    gamma: Vec<f32>,
    beta: Vec<f32>,
}

impl Norm {
    fn load(vb: VarBuilder, size: usize) -> candle_core::Result<Self> {
        Ok(Self {
            gamma: vb.get(size, "weight")?.to_vec1()?,
            beta: vb.get(size, "bias")?.to_vec1()?,
        })
    }
}

struct Layer {
    qkv: Dense,
    attention_out: Dense,
    attention_norm: Norm,
    intermediate: Dense,
    output: Dense,
    output_norm: Norm,
}

/// The encoder's weights, ready for [`Encoder::forward`].
pub(crate) struct Encoder {
    words: Vec<f32>,
    positions: Vec<f32>,
    token_type: Vec<f32>,
    embedding_norm: Norm,
    layers: Vec<Layer>,
    hidden: usize,
    heads: usize,
    eps: f32,
    device: Device,
}

impl Encoder {
    /// Loads the weights named as in the Hugging Face checkpoint (with or
    /// without a `bert.` prefix).
    pub(crate) fn load(
        vb: VarBuilder,
        config: &Config,
        matmul: Matmul,
    ) -> candle_core::Result<Self> {
        let vb = if vb.contains_tensor("bert.embeddings.word_embeddings.weight") {
            vb.pp("bert")
        } else {
            vb
        };
        let (h, inner) = (config.hidden_size, config.intermediate_size);
        let emb = vb.pp("embeddings");
        let table = |name: &str, rows: usize| -> candle_core::Result<Vec<f32>> {
            emb.pp(name)
                .get((rows, h), "weight")?
                .flatten_all()?
                .to_vec1()
        };
        let words = table("word_embeddings", config.vocab_size)?;
        let positions = table("position_embeddings", config.max_position_embeddings)?;
        let mut token_type = table("token_type_embeddings", config.type_vocab_size)?;
        token_type.truncate(h);
        let embedding_norm = Norm::load(emb.pp("LayerNorm"), h)?;
        let layers = (0..config.num_hidden_layers)
            .map(|i| {
                let vb = vb.pp(format!("encoder.layer.{i}"));
                let names = ["query", "key", "value"];
                Ok(Layer {
                    qkv: Dense::load(&vb.pp("attention.self"), &names, (h, h), matmul)?,
                    attention_out: Dense::load(
                        &vb.pp("attention.output"),
                        &["dense"],
                        (h, h),
                        matmul,
                    )?,
                    attention_norm: Norm::load(vb.pp("attention.output.LayerNorm"), h)?,
                    intermediate: Dense::load(
                        &vb.pp("intermediate"),
                        &["dense"],
                        (h, inner),
                        matmul,
                    )?,
                    output: Dense::load(&vb.pp("output"), &["dense"], (inner, h), matmul)?,
                    output_norm: Norm::load(vb.pp("output.LayerNorm"), h)?,
                })
            })
            .collect::<candle_core::Result<Vec<_>>>()?;
        Ok(Self {
            words,
            positions,
            token_type,
            embedding_norm,
            layers,
            hidden: h,
            heads: config.num_attention_heads,
            eps: config.layer_norm_eps as f32,
            device: vb.device().clone(),
        })
    }

    /// Whether the matrix products run on AMX tiles.
    pub(crate) fn uses_tiles(&self) -> bool {
        self.layers
            .iter()
            .any(|layer| matches!(layer.qkv.weight, Weight::Tiles(_)))
    }

    /// Mean-pooled, L2-normalised sentence vectors for the token ids of each
    /// text (special tokens included, at most `max_position_embeddings`).
    pub(crate) fn forward(&self, texts: &[&[u32]]) -> candle_core::Result<Vec<Vec<f32>>> {
        let mut starts = vec![0];
        for ids in texts {
            starts.push(starts[starts.len() - 1] + ids.len());
        }
        let tokens = starts[texts.len()];
        let mut x = self.embed_tokens(texts)?;
        for layer in &self.layers {
            x = self.layer(layer, &x, &starts)?;
        }
        let states = x.flatten_all()?.to_vec1::<f32>()?;
        let h = self.hidden;
        debug_assert_eq!(states.len(), tokens * h);
        Ok(starts
            .windows(2)
            .map(|w| pool(&states[w[0] * h..w[1] * h], h))
            .collect())
    }

    /// Word + position + token type (0) embeddings, layer-normalised.
    fn embed_tokens(&self, texts: &[&[u32]]) -> candle_core::Result<Tensor> {
        let h = self.hidden;
        let mut x = Vec::with_capacity(texts.iter().map(|t| t.len()).sum::<usize>() * h);
        for ids in texts {
            for (position, &id) in ids.iter().enumerate() {
                let word = self.words.get(id as usize * h..(id as usize + 1) * h);
                let place = self.positions.get(position * h..(position + 1) * h);
                let (Some(word), Some(place)) = (word, place) else {
                    candle_core::bail!("token {id} at position {position} is out of range")
                };
                let start = x.len();
                x.extend(
                    word.iter()
                        .zip(place)
                        .zip(&self.token_type)
                        .map(|((w, p), t)| w + p + t),
                );
                let norm = &self.embedding_norm;
                kernels::layer_norm(&mut x[start..], &norm.gamma, &norm.beta, self.eps);
            }
        }
        let rows = x.len() / h;
        Tensor::from_vec(x, (rows, h), &self.device)
    }

    fn layer(&self, layer: &Layer, x: &Tensor, starts: &[usize]) -> candle_core::Result<Tensor> {
        let attention = Attention {
            bias: &layer.qkv.bias,
            heads: self.heads,
            starts,
        };
        let context = layer.qkv.product(x)?.apply_op1_no_bwd(&attention)?;
        let x = layer
            .attention_out
            .product(&context)?
            .apply_op2_no_bwd(x, &self.norm(&layer.attention_out, &layer.attention_norm))?;
        let inner = layer
            .intermediate
            .product(&x)?
            .apply_op1_no_bwd(&BiasGelu {
                bias: &layer.intermediate.bias,
            })?;
        layer
            .output
            .product(&inner)?
            .apply_op2_no_bwd(&x, &self.norm(&layer.output, &layer.output_norm))
    }

    fn norm<'a>(&self, dense: &'a Dense, norm: &'a Norm) -> BiasResidualNorm<'a> {
        BiasResidualNorm {
            bias: &dense.bias,
            gamma: &norm.gamma,
            beta: &norm.beta,
            eps: self.eps,
        }
    }
}

/// The mean of a text's token states, scaled to unit length.
fn pool(states: &[f32], hidden: usize) -> Vec<f32> {
    let mut mean = vec![0f32; hidden];
    let rows = (states.len() / hidden).max(1);
    for row in states.chunks_exact(hidden) {
        for (m, v) in mean.iter_mut().zip(row) {
            *m += v;
        }
    }
    let norm = mean.iter().map(|m| m * m).sum::<f32>().sqrt() / rows as f32;
    let scale = 1.0 / (rows as f32 * norm.max(1e-12));
    mean.iter_mut().for_each(|m| *m *= scale);
    mean
}

/// The dtype the weights are loaded in.
pub(crate) const WEIGHTS_DTYPE: DType = DType::F32;
