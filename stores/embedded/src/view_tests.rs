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
        .expect("an in-memory database");
    let txn = db.begin_write().expect("a write transaction");
    create_all(&txn).expect("the tables are created");
    {
        let mut users = txn.open_table(USERS).expect("the users table opens");
        for id in [1u128, 3, 5, 7] {
            let value = format!("stored {id}");
            users
                .insert(id, value.as_bytes())
                .expect("the row is stored");
        }
    }
    txn.commit().expect("the rows commit");
    db
}

/// Writes one batch as the writer does: into a `Tx`, then the active
/// generation as batch `seq`.
fn batch(shared: &Shared, seq: u64, write: impl FnOnce(&Tx)) {
    let tx = Tx::new(shared.view().expect("a view of the generations"));
    write(&tx);
    let (view, rows, _, _) = tx.finish();
    view.active
        .insert(seq, rows)
        .expect("the batch joins the active generation");
}

fn put(tx: &Tx, id: u128, value: &str) {
    let mut users = tx.open_table(USERS).expect("the users table opens");
    users
        .insert(id, value.as_bytes())
        .expect("the row is written");
}

fn remove(tx: &Tx, id: u128) -> bool {
    let mut users = tx.open_table(USERS).expect("the users table opens");
    users.remove(id).expect("the row is removed").is_some()
}

type Rows = Vec<(u128, String)>;

fn rows(iter: impl Iterator<Item = super::read_table::Item<u128, &'static [u8]>>) -> Rows {
    iter.map(|row| {
        let (k, v) = row.expect("the row reads");
        (k.value(), String::from_utf8_lossy(v.value()).into_owned())
    })
    .collect()
}

fn all(snapshot: &Snapshot) -> Rows {
    let users = snapshot.open_table(USERS).expect("the users table opens");
    rows(users.iter().expect("the rows iterate"))
}

fn row(id: u128, value: &str) -> (u128, String) {
    (id, value.to_owned())
}

/// Three batches over stored rows 1, 3, 5 and 7; the first two visible.
fn layered() -> (Arc<Database>, Arc<Shared>) {
    let db = Arc::new(database());
    let shared = Arc::new(Shared::new(&db, TABLES).expect("the shared generations"));
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
    let snapshot = shared.snapshot().expect("a snapshot");
    let expected = vec![
        row(1, "stored 1"),
        row(2, "new 2"),
        row(3, "new 3"),
        row(7, "stored 7"),
        row(8, "new 8"),
    ];
    assert_eq!(all(&snapshot), expected);

    let users = snapshot.open_table(USERS).expect("the users table opens");
    let backwards = rows(users.iter().expect("the rows iterate").rev());
    assert_eq!(backwards, expected.iter().rev().cloned().collect::<Rows>());

    // Taking from both ends meets in the middle without repeating a row.
    let mut both = users.iter().expect("the rows iterate");
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

    let middle = rows(users.range(2u128..=7).expect("the range iterates"));
    assert_eq!(middle, expected[1..4].to_vec());
    let get = |id: u128| {
        users
            .get(id)
            .expect("the row reads")
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
    let tx = Tx::new(shared.view().expect("a view of the generations"));
    put(&tx, 6, "batch 6");
    assert!(remove(&tx, 1));
    let seen = {
        let users = tx.open_table(USERS).expect("the users table opens");
        rows(users.iter().expect("the rows iterate"))
    };
    let ids: Vec<u128> = seen.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, vec![2, 3, 4, 6, 7, 8]);
    drop(tx);

    let before = all(&shared.snapshot().expect("a snapshot"));
    let frozen = shared
        .rotate()
        .expect("the generation rotates")
        .expect("a frozen generation");
    assert!(shared.checkpoint_pending());
    let held = shared.snapshot().expect("a snapshot");
    let dir = tempfile::tempdir().expect("a temp dir");
    let pages = PagedFile::open(&dir.path().join("unused.redb")).expect("the paged file opens");
    let target = Target {
        db,
        pages: Arc::new(pages),
        shared: shared.clone(),
        base: dir.path().join("unused.wal"),
    };
    let applied = settle(&target, &frozen).expect("the frozen generation settles");
    assert_eq!(applied, 5, "2, 3, 4 and 8 written, 5 removed");
    assert!(!shared.checkpoint_pending());
    assert_eq!(all(&shared.snapshot().expect("a snapshot")), before);
    assert_eq!(
        all(&held),
        before,
        "a snapshot taken before still reads the same"
    );
}

#[test]
fn text_keys_in_memory_and_in_redb_sort_together() {
    let db = database();
    let txn = db.begin_write().expect("a write transaction");
    {
        let mut meta = txn.open_table(META).expect("the meta table opens");
        for k in ["b", "é", "a:2"] {
            meta.insert(k, &b"stored"[..]).expect("the key is stored");
        }
    }
    txn.commit().expect("the keys commit");
    let shared = Shared::new(&db, TABLES).expect("the shared generations");
    batch(&shared, 1, |tx| {
        let mut meta = tx.open_table(META).expect("the meta table opens");
        for k in ["z", "a:10", "ab", "ü"] {
            meta.insert(k, &b"memory"[..]).expect("the key is written");
        }
    });
    shared.publish(1);
    let snapshot = shared.snapshot().expect("a snapshot");
    let meta = snapshot.open_table(META).expect("the meta table opens");
    let keys: Vec<String> = meta
        .iter()
        .expect("the keys iterate")
        .map(|row| row.expect("the key reads").0.value().to_owned())
        .collect();
    assert_eq!(keys, ["a:10", "a:2", "ab", "b", "z", "é", "ü"]);
}
