//! Reads inside a batch see its own writes merged over the committed rows, in
//! key order from either end; reads of a snapshot see only what was committed
//! when it was taken.

use souk_actors::store::StoreError;

use super::EmbeddedStore;
use super::read_table::{Item, Range};
use super::tables::PRODUCTS;

/// Keys whose little-endian bytes would sort in another order.
const KEYS: [u128; 6] = [1, 2, 3, 256, 257, 65_536];

type Rows = Result<Vec<(u128, String)>, StoreError>;

fn rows(range: Range<u128, &'static [u8]>) -> Rows {
    decoded(range)
}

fn decoded(range: impl Iterator<Item = Item<u128, &'static [u8]>>) -> Rows {
    range
        .map(|row| {
            let (k, v) = row?;
            Ok((k.value(), String::from_utf8_lossy(v.value()).into_owned()))
        })
        .collect()
}

fn open() -> (tempfile::TempDir, EmbeddedStore) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let store = EmbeddedStore::open(&dir.path().join("store")).expect("the store opens");
    (dir, store)
}

async fn seed(store: &EmbeddedStore) {
    store
        .write(|txn| {
            let mut products = txn.open_table(PRODUCTS)?;
            for key in KEYS {
                products.insert(key, format!("v{key}").as_bytes())?;
            }
            Ok(())
        })
        .await
        .expect("the rows commit");
}

fn expected() -> Vec<(u128, String)> {
    vec![
        (1, "v1".into()),
        (3, "v3".into()),
        (4, "new 4".into()),
        (256, "new 256".into()),
        (257, "v257".into()),
        (65_536, "v65536".into()),
    ]
}

#[tokio::test]
async fn a_batch_reads_its_own_writes_over_the_committed_rows_in_key_order() {
    let (_dir, store) = open();
    seed(&store).await;
    let (forward, backward, bounded) = store
        .write(|txn| {
            let mut products = txn.open_table(PRODUCTS)?;
            products.insert(4, b"new 4".as_slice())?;
            assert!(products.remove(2)?.is_some(), "2 was committed");
            products.insert(256, b"new 256".as_slice())?;
            let forward = rows(products.iter()?)?;
            let mut backward = decoded(products.iter()?.rev())?;
            backward.reverse();
            let bounded = rows(products.range(3..=256)?)?;
            Ok((forward, backward, bounded))
        })
        .await
        .expect("the batch commits");
    assert_eq!(forward, expected());
    assert_eq!(backward, expected());
    assert_eq!(bounded, expected()[1..4].to_vec());
    let committed = store
        .read(|snapshot| rows(snapshot.open_table(PRODUCTS)?.iter()?))
        .await
        .expect("a read");
    assert_eq!(committed, expected());
    store.close().await;
}

#[tokio::test]
async fn a_snapshot_sees_only_what_was_committed_when_it_was_taken() {
    let (_dir, store) = open();
    seed(&store).await;
    let before = store.shared.snapshot().expect("a snapshot");
    store
        .write(|txn| {
            txn.open_table(PRODUCTS)?.remove(1)?;
            Ok(())
        })
        .await
        .expect("the remove commits");
    let old = rows(
        before
            .open_table(PRODUCTS)
            .expect("a table")
            .iter()
            .expect("rows"),
    )
    .expect("the rows read");
    assert_eq!(old.len(), KEYS.len(), "the older snapshot still has key 1");
    let now = store
        .read(|snapshot| rows(snapshot.open_table(PRODUCTS)?.iter()?))
        .await
        .expect("a read");
    assert_eq!(now.first().map(|r| r.0), Some(2));
    store.close().await;
}
