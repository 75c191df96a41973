//! The ScyllaDB store against the shared storage conformance suite, each
//! case in a keyspace of its own on the node `SOUK_TEST_SCYLLA` names
//! (skipped without one; see `souk_store_scylla::testing`).

use std::sync::Arc;

use souk_actors::store::conformance::Fresh;
use souk_store_scylla::testing::TestKeyspace;

async fn fresh_store() -> Option<Fresh> {
    let keyspace = TestKeyspace::create()?;
    let store = keyspace.store().await;
    Some(Fresh {
        store: Arc::new(store),
        keep: Box::new(keyspace),
    })
}

souk_actors::store_conformance_suite!(fresh_store());
