//! The write path under the embedded store: page layers, checkpoints, the
//! journal, the write-ahead log, and recovery from a crash between them.

use std::path::Path;
use std::sync::Arc;

use redb::StorageBackend;
use souk_actors::store::{MetaStore, TicketStore, conformance};
use souk_models::{Ticket, TicketStatus, UserId};
use uuid::Uuid;

use super::EmbeddedStore;
use super::journal;
use super::logged;
use super::paged::{PAGE, PagedFile};
use super::wal::{self, Kind, Wal};

fn page(fill: u8) -> Vec<u8> {
    vec![fill; PAGE as usize]
}

fn read(file: &PagedFile, at: u64, len: u64) -> Vec<u8> {
    file.read(at, len as usize).expect("the pages read back")
}

fn checkpoint(file: &PagedFile) {
    file.flush_all().expect("a checkpoint of every page");
}

fn open(path: &Path) -> PagedFile {
    PagedFile::open(path).expect("the paged file opens")
}

#[test]
fn pages_read_back_before_and_after_a_checkpoint_and_a_reopen() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("souk.redb");
    let file = open(&path);
    file.set_len(4 * PAGE).expect("the file is resized");
    file.write(0, &page(1)).expect("the page is written");
    file.write(2 * PAGE, &[page(2), page(3)].concat())
        .expect("the pages are written");
    // A write that is not page-aligned keeps the rest of its pages.
    file.write(PAGE - 2, &[9, 9, 9, 9])
        .expect("the unaligned write lands");
    let expect = |file: &PagedFile| {
        let all = read(file, 0, 4 * PAGE);
        assert_eq!(all[..PAGE as usize - 2], page(1)[..PAGE as usize - 2]);
        assert_eq!(all[PAGE as usize - 2..PAGE as usize + 2], [9, 9, 9, 9]);
        assert!(
            all[PAGE as usize + 2..2 * PAGE as usize]
                .iter()
                .all(|b| *b == 0)
        );
        assert_eq!(all[2 * PAGE as usize..], [page(2), page(3)].concat());
    };
    expect(&file);
    let frozen = file.freeze().expect("the pages freeze");
    let frozen = frozen.expect("frozen pages to checkpoint");
    // Written after the freeze: read over the frozen pages.
    file.write(3 * PAGE, &page(4))
        .expect("the page is written over the frozen ones");
    file.write_checkpoint(&frozen)
        .expect("the frozen pages are checkpointed");
    file.release(&frozen)
        .expect("the frozen pages are released");
    assert_eq!(read(&file, 3 * PAGE, PAGE), page(4));
    file.write(3 * PAGE, &page(3))
        .expect("the page is written back");
    expect(&file);
    drop(file);

    let reopened = open(&path);
    assert_eq!(
        reopened.len().expect("the reopened file's length"),
        4 * PAGE
    );
    expect(&reopened);
}

#[test]
fn a_store_cut_short_and_grown_again_reads_zeros_where_it_was_cut() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("souk.redb");
    let file = open(&path);
    file.set_len(3 * PAGE).expect("the file is resized");
    file.write(0, &[page(1), page(2), page(3)].concat())
        .expect("the pages are written");
    checkpoint(&file);
    file.set_len(PAGE + 100).expect("the file is cut short");
    file.set_len(3 * PAGE).expect("the file grows again");
    let expect = |file: &PagedFile| {
        let all = read(file, 0, 3 * PAGE);
        assert_eq!(
            all[..PAGE as usize + 100],
            [page(1), page(2)].concat()[..PAGE as usize + 100]
        );
        assert!(all[PAGE as usize + 100..].iter().all(|b| *b == 0));
    };
    expect(&file);
    checkpoint(&file);
    expect(&file);
    drop(file);
    expect(&open(&path));
}

#[test]
fn a_checkpoint_interrupted_after_its_journal_is_finished_on_open() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("souk.redb");
    std::fs::write(&path, [page(1), page(1)].concat()).expect("the store file is written");
    let pages = [(1, &page(7)[..])];
    let bytes = journal::encode_journal(2 * PAGE, 2 * PAGE, &pages);

    // Torn: the journal never finished, so the file keeps its old image.
    let torn = path.with_extension("journal");
    std::fs::write(&torn, &bytes[..bytes.len() - 1]).expect("the torn journal is written");
    let file = open(&path);
    assert_eq!(read(&file, PAGE, PAGE), page(1));
    drop(file);

    // Whole: the crash came after the journal's sync, so its pages are applied.
    std::fs::write(&torn, &bytes).expect("the whole journal is written");
    let file = open(&path);
    assert_eq!(read(&file, 0, 2 * PAGE), [page(1), page(7)].concat());
    drop(file);
    let left = std::fs::metadata(&torn).map(|m| m.len()).unwrap_or(1);
    assert_eq!(left, 0, "an applied journal is cleared");
}

#[test]
fn the_log_reads_back_its_batches_up_to_a_torn_frame_without_cancelled_ones() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let base = dir.path().join("souk.redb");
    let mut log = Wal::create(&base, 1).expect("a fresh log segment");
    for payload in [&b"one"[..], b"two", b"three"] {
        log.append(Kind::Batch, payload)
            .expect("the batch is appended");
    }
    log.append(Kind::Cancel, &[])
        .expect("the cancel is appended");
    log.append(Kind::Batch, b"four")
        .expect("the batch is appended");
    let (seq, segment) = wal::segments(&base)
        .expect("the log segments list")
        .pop()
        .expect("a log segment");
    assert_eq!(seq, 1);
    let batches = wal::read_segment(seq, &segment).expect("the segment reads back");
    assert_eq!(
        batches,
        vec![b"one".to_vec(), b"two".to_vec(), b"four".to_vec()]
    );

    // A crash mid-append leaves a torn last frame: it is not a batch.
    let len = std::fs::metadata(&segment)
        .map(|m| m.len())
        .expect("the segment's length");
    let file = std::fs::OpenOptions::new().write(true).open(&segment);
    file.and_then(|f| f.set_len(len - 1))
        .expect("the segment is cut by a byte");
    let batches = wal::read_segment(seq, &segment).expect("the torn segment reads back");
    assert_eq!(batches, vec![b"one".to_vec(), b"two".to_vec()]);

    // Retired, the segment becomes the spare; its old frames never read as
    // the next segment's.
    wal::retire(&base, 1).expect("the segment is retired");
    let mut next = Wal::create(&base, 2).expect("the next log segment");
    next.append(Kind::Batch, b"five")
        .expect("the batch is appended");
    let segments = wal::segments(&base).expect("the log segments list");
    assert_eq!(
        segments.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        vec![2]
    );
    let batches = wal::read_segment(2, &segments[0].1).expect("the new segment reads back");
    assert_eq!(batches, vec![b"five".to_vec()]);
}

pub(super) fn ticket(user: UserId, key: &str) -> Ticket {
    Ticket {
        id: Uuid::now_v7(),
        user_id: user,
        idempotency_key: key.into(),
        lane: "standard".into(),
        shipping_address: conformance::address(user, "1 Main St").fields,
        status: TicketStatus::Queued,
        created_at: time::OffsetDateTime::now_utc(),
    }
}

/// Copies every file of the store, as a `kill -9` would leave them.
fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("the store dir lists") {
        let entry = entry.expect("a dir entry");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("the store file is copied");
    }
}

#[tokio::test]
#[expect(
    clippy::await_holding_lock,
    reason = "the lock stands in for a process that dies before checkpointing; only the writer thread and the checkpoint thread wait on it"
)]
async fn acknowledged_writes_survive_a_crash_before_their_checkpoint() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let crashed = tempfile::tempdir().expect("a temp dir for the crashed copy");
    let path = dir.path().join("souk.redb");
    let store = Arc::new(EmbeddedStore::open(&path).expect("the store opens"));
    let user = UserId::new();
    let (done, waiting) = (ticket(user, "a"), ticket(user, "b"));
    {
        // No checkpoint reaches the store file from here on: only the log has
        // these writes when the files are copied.
        let _held = store.pages.hold_checkpoints();
        let writes: Vec<_> = (0..50)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move { store.put_meta(&format!("k{i}"), "v").await })
            })
            .collect();
        for write in writes {
            write
                .await
                .expect("the write task finishes")
                .expect("the write is acknowledged");
        }
        for t in [&done, &waiting] {
            store.create_ticket(t).await.expect("the ticket is created");
        }
        let rejected = TicketStatus::Rejected {
            reason: "out_of_stock".into(),
        };
        store
            .finish_ticket(done.id, &rejected)
            .await
            .expect("the ticket is finished");
        copy_dir(dir.path(), crashed.path());
    }
    store.close().await;

    let recovered = EmbeddedStore::open(&crashed.path().join("souk.redb"));
    let recovered = recovered.expect("the crashed copy recovers");
    for i in 0..50 {
        let value = recovered
            .get_meta(&format!("k{i}"))
            .await
            .expect("the key reads back");
        assert_eq!(value.as_deref(), Some("v"), "k{i}");
    }
    let queued = recovered
        .list_queued_tickets()
        .await
        .expect("the queued tickets list");
    assert_eq!(
        queued.iter().map(|t| t.id).collect::<Vec<_>>(),
        vec![waiting.id]
    );
    let finished = recovered
        .get_ticket(done.id)
        .await
        .expect("the ticket reads back");
    assert!(matches!(
        finished.map(|t| t.status),
        Some(TicketStatus::Rejected { .. })
    ));
    // Recovery checkpointed the replayed log and started a fresh one.
    let segments = wal::segments(&crashed.path().join("souk.redb")).expect("the log segments list");
    assert_eq!(segments.len(), 1, "{segments:?}");
    recovered.close().await;
}

#[test]
fn table_numbers_in_the_log_never_change() {
    // Logs written by an older build name tables by these numbers.
    let order = [
        "users",
        "users_by_email",
        "addresses",
        "refresh_tokens",
        "revoked_families",
        "categories",
        "products",
        "stock",
        "holds",
        "carts",
        "orders",
        "order_entries",
        "buyer_orders",
        "seller_orders",
        "unpaid_orders",
        "tickets",
        "ticket_keys",
        "queued_tickets",
        "product_vectors",
        "meta",
    ];
    for (number, name) in order.iter().enumerate() {
        assert_eq!(logged::number(name).ok(), Some(number as u8), "{name}");
    }
    assert!(logged::number("no_such_table").is_err());
}
