//! The embedded store read and written across several checkpoints, then
//! reopened: what a checkpoint moves from memory to redb reads the same.

use std::time::{Duration, Instant};

use souk_actors::store::{MetaStore, TicketStore};
use souk_models::{TicketStatus, UserId};
use uuid::Uuid;

use super::EmbeddedStore;
use super::log_tests::ticket;

fn rejected() -> TicketStatus {
    TicketStatus::Rejected {
        reason: "out_of_stock".into(),
    }
}

/// Every ticket still queued is exactly `waiting`, in order; every finished
/// one reads as finished; the round counter reads `round`.
async fn check(store: &EmbeddedStore, waiting: &[Uuid], finished: &[Uuid], round: usize) {
    let queued = store
        .list_queued_tickets()
        .await
        .expect("the queued tickets list");
    let queued: Vec<Uuid> = queued.iter().map(|t| t.id).collect();
    assert_eq!(queued, waiting, "round {round}");
    for id in finished {
        let stored = store.get_ticket(*id).await.expect("the ticket reads back");
        assert!(
            matches!(
                stored.map(|t| t.status),
                Some(TicketStatus::Rejected { .. })
            ),
            "round {round}"
        );
    }
    let counter = store
        .get_meta("round")
        .await
        .expect("the round counter reads back");
    assert_eq!(counter, Some(round.to_string()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_read_back_the_same_before_during_and_after_checkpoints() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("souk.redb");
    let store = EmbeddedStore::open(&path).expect("the store opens");
    let user = UserId::new();
    let (mut waiting, mut finished) = (Vec::new(), Vec::new());
    let started = Instant::now();
    let mut round = 0;
    // Rows are written, finished and removed while checkpoints move earlier
    // rounds into redb; every round reads everything back.
    while store.checkpoints() < 3 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no checkpoints ran"
        );
        round += 1;
        let (stays, goes) = (
            ticket(user, &format!("s{round}")),
            ticket(user, &format!("g{round}")),
        );
        for t in [&stays, &goes] {
            store.create_ticket(t).await.expect("the ticket is created");
        }
        store
            .finish_ticket(goes.id, &rejected())
            .await
            .expect("the ticket is finished");
        store
            .put_meta("round", &round.to_string())
            .await
            .expect("the round counter is written");
        waiting.push(stays.id);
        finished.push(goes.id);
        check(&store, &waiting, &finished, round).await;
        // A repeat of an earlier key answers the stored ticket, wherever it is.
        let again = store
            .create_ticket(&ticket(user, "s1"))
            .await
            .expect("the repeated key answers its ticket");
        assert_eq!(again.id, waiting[0]);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    store.close().await;
    drop(store);

    let reopened = EmbeddedStore::open(&path).expect("the store reopens");
    check(&reopened, &waiting, &finished, round).await;
    reopened.close().await;
}
