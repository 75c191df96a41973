//! The shopping assistant's pure building blocks, independent of the runtime.
//!
//! - [`vector`]: 384-dimension sentence vectors, cosine similarity and a compact
//!   byte encoding for storing them beside products.
//! - [`model`]: local all-MiniLM-L6-v2 embeddings on the CPU with candle
//!   ([`model::Embedder`], the async [`model::SharedEmbedder`]) and the model
//!   directory helpers (`souk model fetch`, checksum verification of every file).
//! - [`index`]: an in-process approximate nearest-neighbour index (HNSW via
//!   `hnsw_rs`) keyed by product, with updates, removals, filtered search and
//!   background compaction.
//! - [`query`]: turns a shopper's message into structured constraints (price
//!   range, category, attributes, stock) plus the text left for semantic search,
//!   and reads follow-ups such as "cheaper ones" or "add the second one".
//!
//! - [`product`]: the text embedded for a product, its content hash and index
//!   metadata.
//! - [`chat`]: the chat's decisions (plans, cart actions, rank fusion,
//!   conversations, answer wording), free of I/O.
//! - [`background`]: threads at the lowest CPU priority for the work no
//!   shopper waits for (embedding a catalog, building the graph).
//!
//! Nothing here does network I/O; the model is read from a local directory. The
//! crate depends on `souk_models` alone, so it builds beside the commerce core.

pub mod background;
pub mod chat;
pub mod index;
pub mod model;
pub mod product;
pub mod query;
pub mod vector;

pub use vector::{DIM, Vector, VectorError};
