//! Matrix products on Intel AMX (Advanced Matrix Extensions) tiles, in bf16
//! with f32 accumulation.
//!
//! The assistant's encoder spends most of its time in `x · Wᵀ` products with
//! fixed weights `W`. On CPUs with AMX-BF16 (Intel Xeon from Sapphire Rapids
//! on) one tile instruction does a 16×16×32 block of multiply-adds, many
//! times what AVX-512 does in f32. [`Weights::pack`] converts a weight matrix
//! to bf16 once, in the layout the tiles read; [`Weights::multiply`] converts
//! the activations to bf16 and multiplies on every core.
//!
//! Inputs are rounded to bf16 (8 significant bits); sums stay in f32. Whether
//! that is accurate enough is the caller's call (the encoder's reference test
//! holds its output to sentence-transformers). [`available`] says whether the
//! CPU and the operating system allow AMX; nothing here runs otherwise.

use std::sync::OnceLock;

use crate::convert::{self, to_bf16};
use crate::tiles;

/// Rows and columns of one tile block; matrices are worked in blocks of
/// `BLOCK × BLOCK` outputs (2 × 2 tiles of 16 × 16).
pub(crate) const BLOCK: usize = 32;
/// Bytes of one row of a bf16 weight panel: two tiles of 16 column pairs.
pub(crate) const PANEL_ROW: usize = 2 * 64;

/// Whether AMX-BF16 can be used in this process: the CPU has it and Linux
/// granted the process the tile state (asked once, on first call).
pub fn available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(tiles::enable)
}

/// Why a product was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeError {
    /// Values the input should have had.
    pub expected: usize,
    /// Values it had.
    pub actual: usize,
}

impl std::fmt::Display for ShapeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "input has {} values, expected {}",
            self.actual, self.expected
        )
    }
}

impl std::error::Error for ShapeError {}

/// A weight matrix `W` of shape `(outputs, inputs)`, in bf16, laid out for
/// the tiles: panels of 32 output columns, each `inputs / 2` rows of 32
/// pairs of consecutive inputs.
pub struct Weights {
    panels: Vec<u16>,
    inputs: usize,
    outputs: usize,
}

impl Weights {
    /// Packs the row-major `(outputs, inputs)` matrix `w`. `None` when AMX is
    /// not [`available`], when `w` does not have `outputs * inputs` values, or
    /// when a dimension is not a multiple of 32.
    pub fn pack(w: &[f32], outputs: usize, inputs: usize) -> Option<Self> {
        let fits = outputs > 0
            && inputs > 0
            && outputs.is_multiple_of(BLOCK)
            && inputs.is_multiple_of(BLOCK)
            && w.len() == outputs * inputs;
        if !fits || !available() {
            return None;
        }
        let pairs = inputs / 2;
        let mut panels = vec![0u16; outputs * inputs];
        for (panel, block) in panels.chunks_exact_mut(pairs * BLOCK * 2).enumerate() {
            for (pair, row) in block.chunks_exact_mut(BLOCK * 2).enumerate() {
                for (column, out) in row.chunks_exact_mut(2).enumerate() {
                    let source = (panel * BLOCK + column) * inputs + 2 * pair;
                    out[0] = to_bf16(w[source]);
                    out[1] = to_bf16(w[source + 1]);
                }
            }
        }
        Some(Self {
            panels,
            inputs,
            outputs,
        })
    }

    /// Input width (columns of `x`).
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// Output width (columns of the product).
    pub fn outputs(&self) -> usize {
        self.outputs
    }

    /// `x · Wᵀ` for the row-major `(rows, inputs)` matrix `x`: a row-major
    /// `(rows, outputs)` matrix. Splits the output columns over `threads`
    /// threads (at least one).
    pub fn multiply(&self, x: &[f32], rows: usize, threads: usize) -> Result<Vec<f32>, ShapeError> {
        if x.len() != rows * self.inputs {
            return Err(ShapeError {
                expected: rows * self.inputs,
                actual: x.len(),
            });
        }
        if rows == 0 {
            return Ok(Vec::new());
        }
        let padded = rows.div_ceil(BLOCK) * BLOCK;
        let a = convert::rows_to_bf16(x, self.inputs, padded);
        let mut c = vec![0f32; padded * self.outputs];
        let panels = self.outputs / BLOCK;
        let threads = threads.clamp(1, panels);
        let per = panels.div_ceil(threads);
        let job = tiles::Product {
            a: &a,
            panels: &self.panels,
            inputs: self.inputs,
            outputs: self.outputs,
            rows: padded,
        };
        let out = tiles::Output::new(&mut c);
        if threads == 1 {
            job.run(0..panels, &out);
        } else {
            std::thread::scope(|s| {
                for t in 0..threads {
                    let range = (t * per).min(panels)..((t + 1) * per).min(panels);
                    let (job, out) = (&job, &out);
                    s.spawn(move || job.run(range, out));
                }
            });
        }
        c.truncate(rows * self.outputs);
        Ok(c)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn reference(x: &[f32], w: &[f32], rows: usize, inputs: usize, outputs: usize) -> Vec<f32> {
        let round = |v: f32| f32::from_bits(u32::from(to_bf16(v)) << 16);
        let mut c = vec![0f32; rows * outputs];
        for r in 0..rows {
            for o in 0..outputs {
                c[r * outputs + o] = (0..inputs)
                    .map(|i| round(x[r * inputs + i]) * round(w[o * inputs + i]))
                    .sum();
            }
        }
        c
    }

    fn values(n: usize, seed: u32) -> Vec<f32> {
        (0..n as u32)
            .map(|i| ((i.wrapping_mul(2_654_435_761) ^ seed) % 2001) as f32 / 1000.0 - 1.0)
            .collect()
    }

    #[test]
    fn matches_a_plain_product_of_the_rounded_inputs() {
        if !available() {
            eprintln!("AMX-BF16 is not available here; nothing to check");
            return;
        }
        for (rows, inputs, outputs, threads) in [(1, 32, 32, 1), (45, 96, 64, 2), (70, 384, 160, 3)]
        {
            let x = values(rows * inputs, 7);
            let w = values(outputs * inputs, 11);
            let packed = Weights::pack(&w, outputs, inputs).unwrap();
            let got = packed.multiply(&x, rows, threads).unwrap();
            let want = reference(&x, &w, rows, inputs, outputs);
            assert_eq!(got.len(), want.len());
            for (g, w) in got.iter().zip(&want) {
                assert!((g - w).abs() <= 1e-3 * w.abs().max(1.0), "{g} vs {w}");
            }
        }
    }

    #[test]
    fn refuses_shapes_it_cannot_tile() {
        assert!(Weights::pack(&[0.0; 30 * 32], 30, 32).is_none());
        assert!(Weights::pack(&[0.0; 10], 32, 32).is_none());
        if let Some(w) = Weights::pack(&[0.0; 32 * 32], 32, 32) {
            let err = w.multiply(&[0.0; 33], 1, 1).unwrap_err();
            assert_eq!((err.expected, err.actual), (32, 33));
            assert!(w.multiply(&[], 0, 2).unwrap().is_empty());
        }
    }
}
