//! CPU kernels for the encoder's steps between matrix products, as candle
//! custom ops: attention over packed sequences, bias + GELU, and bias +
//! residual + layer norm.
//!
//! Done with stock candle ops these are several single-threaded passes over
//! the activations each (plus, for attention, one small matrix product per
//! text and head); here each is one pass, split by rows over all cores. The
//! matrix products themselves stay with candle (`gemm`).

use std::sync::OnceLock;

use candle_core::{CpuStorage, CustomOp1, CustomOp2, Layout, Result, Shape, bail};

use crate::background;
use crate::vector::dot;

/// Below this many output values a kernel runs on the calling thread alone.
const PARALLEL_MIN: usize = 32 * 1024;

/// Rows a background matrix product multiplies between two chances to step
/// aside for a query (about a millisecond of work).
const BACKGROUND_ROWS: usize = 128;

/// A contiguous f32 matrix's data and `(rows, cols)`.
fn matrix<'a>(storage: &'a CpuStorage, layout: &Layout) -> Result<(&'a [f32], usize, usize)> {
    let Some((start, end)) = layout.contiguous_offsets() else {
        bail!("kernel input must be contiguous")
    };
    let (rows, cols) = layout.shape().dims2()?;
    Ok((&storage.as_slice::<f32>()?[start..end], rows, cols))
}

fn threads() -> usize {
    static THREADS: OnceLock<usize> = OnceLock::new();
    *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Calls `f(first_row, block)` on blocks of whole rows of `out`, one block
/// per core when the work is large enough.
fn for_row_blocks(out: &mut [f32], cols: usize, f: impl Fn(usize, &mut [f32]) + Sync) {
    let rows = out.len() / cols.max(1);
    let parts = if out.len() < PARALLEL_MIN {
        1
    } else {
        threads().min(rows)
    };
    if parts <= 1 {
        f(0, out);
        return;
    }
    let per = rows.div_ceil(parts);
    std::thread::scope(|s| {
        for (i, block) in out.chunks_mut(per * cols).enumerate() {
            let f = &f;
            s.spawn(move || f(i * per, block));
        }
    });
}

/// erf for f32 to about 1e-7 absolute: a rational approximation on [-4, 4]
/// (erf is ±1 in f32 beyond), the one Eigen and XLA use. Branch-free, so the
/// loops calling it vectorise; libm's `erff` does not.
fn erf(x: f32) -> f32 {
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = x2 * -2.726_142_3e-10 + 2.770_681_4e-8;
    p = x2 * p - 2.101_024e-6;
    p = x2 * p - 5.692_506_4e-5;
    p = x2 * p - 7.349_906_3e-4;
    p = x2 * p - 2.954_600_1e-3;
    p = x2 * p - 1.609_603_3e-2;
    let mut q = x2 * -1.456_607_2e-5 - 2.133_740_6e-4;
    q = x2 * q - 1.682_827e-3;
    q = x2 * q - 7.373_329_3e-3;
    q = x2 * q - 1.426_474e-2;
    x * p / q
}

/// GELU with the exact (erf) form, as BERT uses.
fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// `x · Wᵀ` on AMX tiles (bf16 inputs, f32 sums); see [`souk_simd::amx`].
pub(crate) struct TileProduct<'a> {
    pub weights: &'a souk_simd::amx::Weights,
}

impl CustomOp1 for TileProduct<'_> {
    fn name(&self) -> &'static str {
        "tile-product"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let (x, rows, _) = matrix(storage, layout)?;
        // In the background, a block of rows at a time, stepping aside for
        // queries between blocks; a query's product runs whole.
        let block = if background::on_background_thread() {
            BACKGROUND_ROWS
        } else {
            rows.max(1)
        };
        let out = product_in_blocks(self.weights, x, rows, block)?;
        Ok((
            CpuStorage::F32(out),
            Shape::from((rows, self.weights.outputs())),
        ))
    }
}

/// `x · Wᵀ`, `block` rows at a time, stepping aside for queries before each
/// block when on a background thread.
fn product_in_blocks(
    weights: &souk_simd::amx::Weights,
    x: &[f32],
    rows: usize,
    block: usize,
) -> Result<Vec<f32>> {
    let inputs = weights.inputs();
    let mut out = Vec::with_capacity(rows * weights.outputs());
    for first in (0..rows).step_by(block.max(1)) {
        background::step_aside();
        let last = (first + block).min(rows);
        let part = weights
            .multiply(&x[first * inputs..last * inputs], last - first, threads())
            .map_err(|e| candle_core::Error::Msg(format!("tile-product: {e}")))?;
        out.extend_from_slice(&part);
    }
    Ok(out)
}

/// `gelu(x + bias)` for every row of `x`.
pub(crate) struct BiasGelu<'a> {
    pub bias: &'a [f32],
}

impl CustomOp1 for BiasGelu<'_> {
    fn name(&self) -> &'static str {
        "bias-gelu"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        background::step_aside();
        let (x, rows, cols) = matrix(storage, layout)?;
        if cols != self.bias.len() {
            bail!("bias-gelu: {cols} columns, bias of {}", self.bias.len())
        }
        let mut out = vec![0f32; rows * cols];
        for_row_blocks(&mut out, cols, |first, block| {
            let input = &x[first * cols..first * cols + block.len()];
            for (out_row, in_row) in block.chunks_exact_mut(cols).zip(input.chunks_exact(cols)) {
                for ((o, v), b) in out_row.iter_mut().zip(in_row).zip(self.bias) {
                    *o = gelu(v + b);
                }
            }
        });
        Ok((CpuStorage::F32(out), Shape::from((rows, cols))))
    }
}

/// `layer_norm(x + bias + residual)` row by row, `x` being the op's first
/// input and `residual` its second.
pub(crate) struct BiasResidualNorm<'a> {
    pub bias: &'a [f32],
    pub gamma: &'a [f32],
    pub beta: &'a [f32],
    pub eps: f32,
}

impl CustomOp2 for BiasResidualNorm<'_> {
    fn name(&self) -> &'static str {
        "bias-residual-norm"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let (x, rows, cols) = matrix(s1, l1)?;
        let (residual, r_rows, r_cols) = matrix(s2, l2)?;
        if (rows, cols) != (r_rows, r_cols) || cols != self.bias.len() {
            bail!("bias-residual-norm: shapes do not match")
        }
        let mut out = vec![0f32; rows * cols];
        for_row_blocks(&mut out, cols, |first, block| {
            let range = first * cols..first * cols + block.len();
            let rows_in = x[range.clone()].chunks_exact(cols);
            let rows_res = residual[range].chunks_exact(cols);
            for ((o, a), r) in block.chunks_exact_mut(cols).zip(rows_in).zip(rows_res) {
                for (((o, a), r), b) in o.iter_mut().zip(a).zip(r).zip(self.bias) {
                    *o = a + r + b;
                }
                layer_norm(o, self.gamma, self.beta, self.eps);
            }
        });
        Ok((CpuStorage::F32(out), Shape::from((rows, cols))))
    }
}

/// Normalises `row` in place to mean 0 and variance 1, then scales and shifts.
pub(crate) fn layer_norm(row: &mut [f32], gamma: &[f32], beta: &[f32], eps: f32) {
    let n = row.len().max(1) as f32;
    let mean = row.iter().sum::<f32>() / n;
    let variance = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
    let scale = 1.0 / (variance + eps).sqrt();
    for ((v, g), b) in row.iter_mut().zip(gamma).zip(beta) {
        *v = (*v - mean) * scale * g + b;
    }
}

/// Multi-head self-attention over packed texts. The input is `(tokens, 3 ×
/// hidden)`: each token's query, key and value projections side by side,
/// without their biases; text `i` owns rows `starts[i]..starts[i + 1]`. Each
/// token attends to the tokens of its own text only, so no padding or mask
/// is needed.
///
/// The key bias is left out: it adds the same `q·b_k` to every score of a
/// query, which softmax ignores. The value bias is added once at the end,
/// since the attention weights sum to 1.
pub(crate) struct Attention<'a> {
    pub bias: &'a [f32],
    pub heads: usize,
    pub starts: &'a [usize],
}

impl CustomOp1 for Attention<'_> {
    fn name(&self) -> &'static str {
        "packed-attention"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        background::step_aside();
        let (qkv, rows, cols) = matrix(storage, layout)?;
        let hidden = cols / 3;
        if cols != 3 * hidden || hidden % self.heads != 0 || self.bias.len() != cols {
            bail!("attention: {cols} columns do not fit {} heads", self.heads)
        }
        if self.starts.first() != Some(&0) || self.starts.last() != Some(&rows) {
            bail!("attention: text offsets do not cover {rows} tokens")
        }
        let width = hidden / self.heads;
        let scale = 1.0 / (width as f32).sqrt();
        let mut out = vec![0f32; rows * hidden];
        for_row_blocks(&mut out, hidden, |first, block| {
            let mut scores = Vec::new();
            let mut query = vec![0f32; width];
            for (offset, out_row) in block.chunks_exact_mut(hidden).enumerate() {
                let t = first + offset;
                let text = self.starts.partition_point(|&s| s <= t) - 1;
                let tokens = self.starts[text]..self.starts[text + 1];
                for (h, ctx) in out_row.chunks_exact_mut(width).enumerate() {
                    let q = &qkv[t * cols + h * width..][..width];
                    for ((qb, q), b) in query.iter_mut().zip(q).zip(&self.bias[h * width..]) {
                        *qb = (q + b) * scale;
                    }
                    let key = |j: usize| &qkv[j * cols + hidden + h * width..][..width];
                    scores.clear();
                    scores.extend(tokens.clone().map(|j| dot(&query, key(j))));
                    softmax(&mut scores);
                    for (j, p) in tokens.clone().zip(&scores) {
                        let value = &qkv[j * cols + 2 * hidden + h * width..][..width];
                        for (c, v) in ctx.iter_mut().zip(value) {
                            *c += p * v;
                        }
                    }
                    for (c, b) in ctx.iter_mut().zip(&self.bias[2 * hidden + h * width..]) {
                        *c += b;
                    }
                }
            }
        });
        Ok((CpuStorage::F32(out), Shape::from((rows, hidden))))
    }
}

fn softmax(scores: &mut [f32]) {
    let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for s in scores.iter_mut() {
        *s = (*s - max).exp();
        sum += *s;
    }
    for s in scores.iter_mut() {
        *s /= sum;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn a_product_in_blocks_equals_the_whole_product() {
        if !souk_simd::amx::available() {
            println!("skipped: this CPU has no AMX tiles");
            return;
        }
        let (outputs, inputs, rows) = (64, 96, 300);
        let w: Vec<f32> = (0..outputs * inputs)
            .map(|i| ((i * 7 % 13) as f32 - 6.0) / 10.0)
            .collect();
        let x: Vec<f32> = (0..rows * inputs)
            .map(|i| ((i * 5 % 11) as f32 - 5.0) / 10.0)
            .collect();
        let weights = souk_simd::amx::Weights::pack(&w, outputs, inputs).expect("packs");
        let whole = product_in_blocks(&weights, &x, rows, rows).unwrap();
        let blocks = product_in_blocks(&weights, &x, rows, BACKGROUND_ROWS).unwrap();
        assert_eq!(whole.len(), rows * outputs);
        assert_eq!(whole, blocks);
    }

    #[test]
    fn erf_matches_libm() {
        let mut worst = 0f32;
        for i in -6000..=6000 {
            let x = i as f32 / 1000.0;
            worst = worst.max((erf(x) - candle_core::cpu::erf::erf_f32(x)).abs());
        }
        assert!(worst < 1e-6, "worst error {worst}");
    }

    #[test]
    fn kernels_split_over_threads_give_the_same_rows() {
        let cols = 384;
        let rows = 2 * PARALLEL_MIN / cols;
        let mut serial = vec![0f32; rows * cols];
        let mut parallel = serial.clone();
        let fill = |first: usize, block: &mut [f32]| {
            for (i, v) in block.iter_mut().enumerate() {
                *v = (first * cols + i) as f32;
            }
        };
        fill(0, &mut serial);
        for_row_blocks(&mut parallel, cols, fill);
        assert_eq!(serial, parallel);
    }
}
