//! The in-memory store against the shared storage conformance suite, so the
//! actors' tests run on a store that behaves as the durable ones do.
// Test code: clippy.toml allows unwrap/expect in `#[test]` fns only, not in helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use souk_actors::store::{MemoryStore, Store};

async fn fresh_store() -> Arc<dyn Store> {
    Arc::new(MemoryStore::new())
}

souk_actors::store_conformance_suite!(fresh_store());
