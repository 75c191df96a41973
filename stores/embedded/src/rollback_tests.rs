//! A write that fails part-way inside a group commit keeps nothing of what it
//! wrote, and the other writes of its batch commit.

use std::sync::Arc;

use souk_actors::store::{MetaStore, StoreError};
use tokio::task::JoinSet;

use super::EmbeddedStore;
use super::tables::META;

/// Write `i` puts `k{i}`; every third then removes `kept` and fails, and
/// write 1 panics after its put.
async fn write(store: &EmbeddedStore, i: usize) -> Result<(), StoreError> {
    store
        .write(move |txn| {
            let mut meta = txn.open_table(META)?;
            meta.insert(format!("k{i}").as_str(), b"v".as_slice())?;
            if i == 1 {
                panic!("a bug in write {i}");
            }
            if i.is_multiple_of(3) {
                meta.remove("kept")?;
                return Err(StoreError::Conflict(format!("write {i} refused")));
            }
            Ok(())
        })
        .await
}

async fn expect_only_successes(store: &EmbeddedStore, writes: usize) {
    assert_eq!(
        store.get_meta("kept").await.expect("a read").as_deref(),
        Some("before"),
        "a failed write's remove was undone"
    );
    for i in 0..writes {
        let found = store.get_meta(&format!("k{i}")).await.expect("a read");
        let failed = i == 1 || i.is_multiple_of(3);
        assert_eq!(found.is_some(), !failed, "write {i}");
    }
}

#[tokio::test]
async fn a_write_that_fails_part_way_keeps_nothing_and_its_batch_commits() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("store");
    let store = Arc::new(EmbeddedStore::open(&path).expect("the store opens"));
    store.put_meta("kept", "before").await.expect("a write");
    let writes = 60;
    let mut running = JoinSet::new();
    for i in 0..writes {
        let store = store.clone();
        running.spawn(async move { (i, write(&store, i).await) });
    }
    while let Some(done) = running.join_next().await {
        let (i, result) = done.expect("the write task ends");
        match result {
            Ok(()) => assert!(
                i != 1 && !i.is_multiple_of(3),
                "write {i} should have failed"
            ),
            Err(StoreError::Conflict(_)) => assert!(i.is_multiple_of(3)),
            Err(e) => assert_eq!(i, 1, "write {i}: {e}"),
        }
    }
    expect_only_successes(&store, writes).await;
    store.close().await;
    drop(store);
    let reopened = EmbeddedStore::open(&path).expect("the store reopens");
    expect_only_successes(&reopened, writes).await;
    reopened.close().await;
}
