//! The in-memory store against the shared storage conformance suite, so the
//! actors' tests run on a store that behaves as the durable ones do.

use std::sync::Arc;

use souk_actors::store::MemoryStore;
use souk_actors::store::conformance::Fresh;

async fn fresh_store() -> Option<Fresh> {
    Some(Fresh {
        store: Arc::new(MemoryStore::new()),
        keep: Box::new(()),
    })
}

souk_actors::store_conformance_suite!(fresh_store());
