//! Nodes on ScyllaDB: a bad `scylla://` URL or an unreachable node stops
//! start-up naming `store.url`; where `SOUK_TEST_SCYLLA` names a node, a
//! marketplace copied there is served as before.

use souk_store_scylla::testing::TestKeyspace;

use crate::helpers::build_error;
use crate::store_move::moves_and_is_served_from;

#[tokio::test]
async fn an_unreachable_node_stops_start_up_naming_the_key() {
    // Nothing listens on port 9 of loopback (discard): the connection is refused.
    let err = build_error(&[(
        "SOUK__STORE__URL",
        "scylla://127.0.0.1:9/shop?timeout_ms=2000",
    )])
    .await;
    assert!(err.contains("store.url"), "{err}");
    assert!(err.contains("127.0.0.1:9"), "{err}");
}

#[tokio::test]
async fn a_bad_option_stops_start_up_naming_it() {
    let err = build_error(&[("SOUK__STORE__URL", "scylla://db/shop?consistency=two")]).await;
    assert!(err.contains("store.url"), "{err}");
    assert!(err.contains("consistency must be"), "{err}");
    let err = build_error(&[("SOUK__STORE__URL", "scylla://souk:hunter2@db/shop?x=1")]).await;
    assert!(err.contains("unknown option `x`"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_marketplace_moves_to_scylla_and_is_served_from_there() {
    let Some(keyspace) = TestKeyspace::create() else {
        return;
    };
    moves_and_is_served_from(&keyspace.url()).await;
}
