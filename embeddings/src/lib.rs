//! The shopping assistant's home: local MiniLM embeddings (candle), the in-process
//! vector index (hnsw_rs) and the chat pipeline.
//!
//! Nothing is implemented here yet; the assistant is its own piece of work. Until
//! then catalog search is lexical only (BM25 in `souk_actors::catalog`), and no
//! route refers to this crate. It depends on `souk_models` alone, so it can be
//! built beside the commerce core.
