//! Orders whose payment went through but whose record of it a crash lost
//! (the stock was committed, the `payment_succeeded` entry never written),
//! and expiries that fail for a while.

use std::time::Duration;

use souk_models::{OrderId, OrderStatus};

use super::{DEADLINE_MIN, World, level, place, status, world};
use crate::inventory::Settlement;

/// Sells the order's units as a payment would, without recording the payment.
async fn sell_without_record(w: &World, order: OrderId) {
    w.inventory
        .settle(order, &[w.product], Settlement::Commit)
        .await
        .expect("the units are sold");
}

#[tokio::test(start_paused = true)]
async fn a_payment_whose_record_was_lost_is_recorded_at_the_deadline() {
    let w = world(5).await;
    let order = place(&w, 2).await;
    sell_without_record(&w, order).await;
    tokio::time::sleep(Duration::from_secs(60 * (DEADLINE_MIN as u64) + 5)).await;
    assert_eq!(status(&w, order).await, OrderStatus::Paid);
    let level = level(&w).await;
    assert_eq!(
        (level.available(), level.reserved, level.sold),
        (3, 0, 2),
        "the units stay sold to the paid order, none lost"
    );
}

#[tokio::test]
async fn cancelling_an_order_whose_payment_record_was_lost_restocks_it() {
    let w = world(5).await;
    let order = place(&w, 2).await;
    sell_without_record(&w, order).await;
    w.orders
        .cancel(order, w.buyer)
        .await
        .expect("the order is cancelled");
    assert_eq!(status(&w, order).await, OrderStatus::Cancelled);
    let level = level(&w).await;
    assert_eq!((level.available(), level.reserved, level.sold), (5, 0, 0));
}

#[tokio::test(start_paused = true)]
async fn an_expiry_that_fails_is_tried_again_until_it_holds() {
    let w = world(5).await;
    let order = place(&w, 2).await;
    w.store.fail_order_entries(3);
    let deadline = Duration::from_secs(60 * DEADLINE_MIN as u64);
    tokio::time::sleep(deadline + Duration::from_millis(500)).await;
    assert_eq!(
        status(&w, order).await,
        OrderStatus::PendingPayment,
        "its expiry could not be recorded"
    );
    // Tried again 1, 2 and 4 s later: the third retry is recorded.
    tokio::time::sleep(Duration::from_secs(8)).await;
    assert_eq!(status(&w, order).await, OrderStatus::Expired);
    assert_eq!(level(&w).await.available(), 5);
}
