//! The PostgreSQL store against the shared storage conformance suite, each
//! case on a database of its own (see `souk_store_postgres::testing`).

use std::sync::Arc;

use souk_actors::store::conformance::Fresh;
use souk_store_postgres::testing::TestDatabase;

async fn fresh_store() -> Option<Fresh> {
    let database = TestDatabase::create().await?;
    let store = database.store().await;
    Some(Fresh {
        store: Arc::new(store),
        keep: Box::new(database),
    })
}

souk_actors::store_conformance_suite!(fresh_store());
