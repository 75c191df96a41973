//! The embedded store against the shared storage conformance suite.
// Test code: clippy.toml allows unwrap/expect in `#[test]` fns only, not in helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use souk_actors::store::Store;
use souk_store_embedded::EmbeddedStore;

async fn fresh_store() -> Arc<dyn Store> {
    let dir = tempfile::tempdir().expect("a temp dir");
    let store = EmbeddedStore::open(&dir.path().join("store")).expect("the store opens");
    // Keep the directory for the life of the test process.
    std::mem::forget(dir);
    Arc::new(store)
}

souk_actors::store_conformance_suite!(fresh_store());
