//! The cap on live order actors: the least recently used leave memory first,
//! and come back from the store with their state on their next request; a
//! paid order is not brought back by the deadlines it no longer has.

use std::time::Duration;

use souk_models::OrderStatus;

use super::{orders_capped, pay, place, world};
use crate::payments::TEST_CARD_OK;

#[tokio::test]
async fn live_orders_stay_under_the_cap_and_evicted_ones_come_back() {
    let mut w = world(300).await;
    w.orders = orders_capped(&w.store, &w.inventory, &w.events, 100).await;
    let mut placed = Vec::new();
    for _ in 0..300 {
        let id = place(&w, 1).await;
        // Reading an order activates its actor.
        w.orders
            .get(id, w.buyer)
            .await
            .expect("the buyer reads the order");
        placed.push(id);
    }
    let directory = w.orders.directory_for_tests();
    let mut live = directory.live();
    for _ in 0..200 {
        if live <= 100 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        live = directory.live();
    }
    assert!(live <= 100, "{live} order actors live over a cap of 100");
    let (oldest, newest) = (placed[0], placed[299]);
    assert!(
        directory.is_live(newest),
        "the most recent order stays live"
    );
    assert!(
        !directory.is_live(oldest),
        "the least recently used left first"
    );

    w.orders
        .pay(oldest, w.buyer, TEST_CARD_OK.into())
        .await
        .expect("the evicted order is paid");
    let order = w
        .orders
        .get(oldest, w.buyer)
        .await
        .expect("the evicted order comes back");
    assert_eq!(order.status(), OrderStatus::Paid, "evicted, then paid");
    assert_eq!(order.timeline.len(), 3, "placed, payment created, paid");
    assert!(directory.is_live(oldest), "paying activated it again");
}

#[tokio::test(start_paused = true)]
async fn a_paid_order_is_not_woken_by_its_old_deadline() {
    let w = world(3).await;
    let id = place(&w, 1).await;
    pay(&w, id).await;
    let directory = w.orders.directory_for_tests();
    // Idle past the passivation time (60 s): the actor leaves memory.
    tokio::time::sleep(Duration::from_secs(5 * 60)).await;
    assert!(!directory.is_live(id), "the idle paid order left memory");
    // Just past its payment deadline (15 min), well within the idle time a
    // woken actor would stay live: nothing is due for it any more, so
    // nothing brought it back.
    tokio::time::sleep(Duration::from_secs(10 * 60 + 1)).await;
    assert!(
        !directory.is_live(id),
        "the paid order's deadlines were cleared when it was paid"
    );
}
