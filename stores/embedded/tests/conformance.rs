//! The embedded store against the shared storage conformance suite.
// Test code: clippy.toml allows unwrap/expect in `#[test]` fns only, not in helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use souk_actors::store::conformance::Fresh;
use souk_store_embedded::EmbeddedStore;

async fn fresh_store() -> Option<Fresh> {
    let dir = tempfile::tempdir().expect("a temp dir");
    let store = EmbeddedStore::open(&dir.path().join("store")).expect("the store opens");
    Some(Fresh {
        store: Arc::new(store),
        keep: Box::new(dir),
    })
}

souk_actors::store_conformance_suite!(fresh_store());
