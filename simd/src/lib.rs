//! The CPU kernels of souk that need `unsafe`, behind safe functions:
//!
//! - [`dot`]: the f32 dot product, compiled for AVX-512, AVX2 + FMA and the
//!   SSE2 baseline, the best one chosen at run time. The vector index and the
//!   encoder's attention spend their time here.
//! - [`amx`]: bf16 matrix products on Intel AMX tiles for the encoder.
//!
//! Everything else in the workspace forbids `unsafe`. Here every unsafe block
//! states why it is sound, and the API cannot be misused into unsoundness.

pub mod amx;
mod convert;
mod dot;
mod tiles;

pub use dot::dot;
