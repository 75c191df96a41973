//! Reads over the in-memory generations and redb together.

use std::sync::Arc;

use redb::Database;
use redb::backends::InMemoryBackend;

use super::checkpoint::{Target, settle};
use super::logged::{TABLES, Tx, create_all};
use super::paged::PagedFile;
use super::tables::{META, USERS};
use super::view::{Shared, Snapshot};

fn database() -> Database {
    let db = Database::builder()
        .create_with_backend(InMemoryBackend::new())
        .unwrap_or_else(|e| panic!("{e}"));
    let txn = db.begin_write().unwrap_or_else(|e| panic!("{e}"));
    create_all(&txn).unwrap_or_else(|e| panic!("{e}"));
    {
        let mut users = txn.open_table(USERS).unwrap_or_else(|e| panic!("{e}"));
        for id in [1u128, 3, 5, 7] {
            let value = format!("stored {id}");
            users
                .insert(id, value.as_bytes())
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    txn.commit().unwrap_or_else(|e| panic!("{e}"));
    db
}

/// Writes one batch as the writer does: into a `Tx`, then the active
/// generation as batch `seq`.
fn batch(shared: &Shared, seq: u64, write: impl FnOnce(&Tx)) {
    let tx = Tx::new(shared.view().unwrap_or_else(|e| panic!("{e}")));
    write(&tx);
    let (view, rows, _, _) = tx.finish();
    view.active
        .insert(seq, rows)
        .unwrap_or_else(|e| panic!("{e}"));
}

fn put(tx: &Tx, id: u128, value: &str) {
    let mut users = tx.open_table(USERS).unwrap_or_else(|e| panic!("{e}"));
    users
        .insert(id, value.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
}

fn remove(tx: &Tx, id: u128) -> bool {
    let mut users = tx.open_table(USERS).unwrap_or_else(|e| panic!("{e}"));
    users.remove(id).unwrap_or_else(|e| panic!("{e}")).is_some()
}

type Rows = Vec<(u128, String)>;

fn rows(iter: impl Iterator<Item = super::read_table::Item<u128, &'static [u8]>>) -> Rows {
    iter.map(|row| {
        let (k, v) = row.unwrap_or_else(|e| panic!("{e}"));
        (k.value(), String::from_utf8_lossy(v.value()).into_owned())
    })
    .collect()
}

fn all(snapshot: &Snapshot) -> Rows {
    let users = snapshot.open_table(USERS).unwrap_or_else(|e| panic!("{e}"));
    rows(users.iter().unwrap_or_else(|e| panic!("{e}")))
}

fn row(id: u128, value: &str) -> (u128, String) {
    (id, value.to_owned())
}

/// Three batches over stored rows 1, 3, 5 and 7; the first two visible.
fn layered() -> (Arc<Database>, Arc<Shared>) {
    let db = Arc::new(database());
    let shared = Arc::new(Shared::new(&db, TABLES).unwrap_or_else(|e| panic!("{e}")));
    batch(&shared, 1, |tx| {
        put(tx, 2, "new 2");
        put(tx, 3, "new 3");
    });
    batch(&shared, 2, |tx| {
        assert!(remove(tx, 5));
        assert!(!remove(tx, 6), "6 was never written");
        put(tx, 8, "new 8");
    });
    shared.publish(2);
    batch(&shared, 3, |tx| put(tx, 4, "new 4"));
    (db, shared)
}

#[test]
fn a_snapshot_merges_memory_over_redb_in_key_order_from_either_end() {
    let (_db, shared) = layered();
    let snapshot = shared.snapshot().unwrap_or_else(|e| panic!("{e}"));
    let expected = vec![
        row(1, "stored 1"),
        row(2, "new 2"),
        row(3, "new 3"),
        row(7, "stored 7"),
        row(8, "new 8"),
    ];
    assert_eq!(all(&snapshot), expected);

    let users = snapshot.open_table(USERS).unwrap_or_else(|e| panic!("{e}"));
    let backwards = rows(users.iter().unwrap_or_else(|e| panic!("{e}")).rev());
    assert_eq!(backwards, expected.iter().rev().cloned().collect::<Rows>());

    // Taking from both ends meets in the middle without repeating a row.
    let mut both = users.iter().unwrap_or_else(|e| panic!("{e}"));
    let mut met = Vec::new();
    for i in 0.. {
        let next = if i % 2 == 0 {
            both.next()
        } else {
            both.next_back()
        };
        match next {
            Some(r) => met.extend(rows(std::iter::once(r))),
            None => break,
        }
    }
    met.sort();
    assert_eq!(met, expected);

    let middle = rows(users.range(2u128..=7).unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(middle, expected[1..4].to_vec());
    let get = |id: u128| {
        users
            .get(id)
            .unwrap_or_else(|e| panic!("{e}"))
            .map(|v| String::from_utf8_lossy(v.value()).into_owned())
    };
    assert_eq!(get(3).as_deref(), Some("new 3"));
    assert_eq!(get(5), None, "removed in memory");
    assert_eq!(get(4), None, "written after the snapshot");
    assert_eq!(get(7).as_deref(), Some("stored 7"));
}

#[test]
fn a_batch_reads_its_own_writes_and_a_checkpoint_changes_nothing_visible() {
    let (db, shared) = layered();
    shared.publish(3);
    let tx = Tx::new(shared.view().unwrap_or_else(|e| panic!("{e}")));
    put(&tx, 6, "batch 6");
    assert!(remove(&tx, 1));
    let seen = {
        let users = tx.open_table(USERS).unwrap_or_else(|e| panic!("{e}"));
        rows(users.iter().unwrap_or_else(|e| panic!("{e}")))
    };
    let ids: Vec<u128> = seen.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, vec![2, 3, 4, 6, 7, 8]);
    drop(tx);

    let before = all(&shared.snapshot().unwrap_or_else(|e| panic!("{e}")));
    let frozen = shared
        .rotate()
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("nothing frozen"));
    assert!(shared.checkpoint_pending());
    let held = shared.snapshot().unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let pages = PagedFile::open(&dir.path().join("unused.redb")).unwrap_or_else(|e| panic!("{e}"));
    let target = Target {
        db,
        pages: Arc::new(pages),
        shared: shared.clone(),
        base: dir.path().join("unused.wal"),
    };
    let applied = settle(&target, &frozen).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(applied, 5, "2, 3, 4 and 8 written, 5 removed");
    assert!(!shared.checkpoint_pending());
    assert_eq!(
        all(&shared.snapshot().unwrap_or_else(|e| panic!("{e}"))),
        before
    );
    assert_eq!(
        all(&held),
        before,
        "a snapshot taken before still reads the same"
    );
}

#[test]
fn text_keys_in_memory_and_in_redb_sort_together() {
    let db = database();
    let txn = db.begin_write().unwrap_or_else(|e| panic!("{e}"));
    {
        let mut meta = txn.open_table(META).unwrap_or_else(|e| panic!("{e}"));
        for k in ["b", "é", "a:2"] {
            meta.insert(k, &b"stored"[..])
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    txn.commit().unwrap_or_else(|e| panic!("{e}"));
    let shared = Shared::new(&db, TABLES).unwrap_or_else(|e| panic!("{e}"));
    batch(&shared, 1, |tx| {
        let mut meta = tx.open_table(META).unwrap_or_else(|e| panic!("{e}"));
        for k in ["z", "a:10", "ab", "ü"] {
            meta.insert(k, &b"memory"[..])
                .unwrap_or_else(|e| panic!("{e}"));
        }
    });
    shared.publish(1);
    let snapshot = shared.snapshot().unwrap_or_else(|e| panic!("{e}"));
    let meta = snapshot.open_table(META).unwrap_or_else(|e| panic!("{e}"));
    let keys: Vec<String> = meta
        .iter()
        .unwrap_or_else(|e| panic!("{e}"))
        .map(|row| row.unwrap_or_else(|e| panic!("{e}")).0.value().to_owned())
        .collect();
    assert_eq!(keys, ["a:10", "a:2", "ab", "b", "z", "é", "ü"]);
}
