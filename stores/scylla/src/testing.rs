//! Test support: a fresh keyspace per test on the ScyllaDB node
//! `SOUK_TEST_SCYLLA` names (`host:port`), dropped when the test ends.
//!
//! ScyllaDB cannot be installed on the machines souk is built on, so
//! without that variable a test prints `skipped: …` and passes, even under
//! `SOUK_REQUIRE_SERVICES=1` (which covers the services those machines do
//! run).

use uuid::Uuid;

use super::ScyllaStore;

/// One test's keyspace; dropped with this value.
pub struct TestKeyspace {
    node: String,
    keyspace: String,
}

impl TestKeyspace {
    /// A fresh keyspace name on the node, or `None` (having printed why)
    /// when no node is named.
    pub fn create() -> Option<Self> {
        let Ok(node) = std::env::var("SOUK_TEST_SCYLLA") else {
            println!(
                "skipped: SOUK_TEST_SCYLLA names no ScyllaDB node (host:port); \
                 ScyllaDB cannot be installed on this machine"
            );
            return None;
        };
        Some(Self {
            node,
            keyspace: format!("souk_test_{}", Uuid::new_v4().simple()),
        })
    }

    /// The store URL of this keyspace (one replica: a test node is alone).
    pub fn url(&self) -> String {
        format!("scylla://{}/{}?replication=1", self.node, self.keyspace)
    }

    /// The store on this keyspace, created and migrated.
    pub async fn store(&self) -> ScyllaStore {
        match ScyllaStore::connect(&self.url()).await {
            Ok(store) => store,
            Err(e) => panic!("SOUK_TEST_SCYLLA={}: {e}", self.node),
        }
    }
}

impl Drop for TestKeyspace {
    fn drop(&mut self) {
        let url = self.url();
        let keyspace = self.keyspace.clone();
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let store = ScyllaStore::connect(&url)
                    .await
                    .map_err(|e| e.to_string())?;
                store
                    .db
                    .session
                    .query_unpaged(format!("DROP KEYSPACE IF EXISTS {keyspace}"), ())
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            })
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("could not drop test keyspace {}: {e}", self.keyspace);
        }
    }
}
