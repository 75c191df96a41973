//! The embedded store against the shared storage conformance suite.

use std::sync::Arc;

use souk_actors::store::Store;
use souk_store_embedded::EmbeddedStore;

async fn fresh_store() -> Arc<dyn Store> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let store =
        EmbeddedStore::open(&dir.path().join("souk.redb")).unwrap_or_else(|e| panic!("open: {e}"));
    // Keep the directory for the life of the test process.
    std::mem::forget(dir);
    Arc::new(store)
}

souk_actors::store_conformance_suite!(fresh_store());
