//! Concurrent writers share commits: the embedded store does not pay one fsync
//! per write, and every acknowledged write is there after reopening.
// Test code: clippy.toml allows unwrap/expect in `#[test]` fns only, not in helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use souk_actors::store::{MetaStore, Store};
use souk_store_embedded::EmbeddedStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_are_group_committed_and_durable() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("store");
    let store = Arc::new(EmbeddedStore::open(&path).expect("the store opens"));
    let before = store.commits();
    let writers: Vec<_> = (0..400)
        .map(|i| {
            let store: Arc<dyn Store> = store.clone();
            tokio::spawn(async move { store.put_meta(&format!("k{i}"), "v").await })
        })
        .collect();
    for writer in writers {
        writer
            .await
            .expect("the write task finishes")
            .expect("the write is acknowledged");
    }
    let commits = store.commits() - before;
    // While one batch fsyncs, the rest queue up and go in the next: far fewer
    // commits than writes. (One per write would be 400.)
    assert!(commits < 200, "{commits} commits for 400 concurrent writes");
    store.close().await;
    drop(store);

    let reopened = EmbeddedStore::open(&path).expect("the store reopens");
    for i in 0..400 {
        let value = reopened
            .get_meta(&format!("k{i}"))
            .await
            .expect("the key reads back");
        assert_eq!(value.as_deref(), Some("v"), "k{i}");
    }
}
