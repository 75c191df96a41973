//! A payment that comes after the inventory let the order's hold go: the
//! units are sold again if they are still there, and otherwise the money
//! goes back. Never more units sold than there are.

use souk_models::{OrderStatus, TimelineKind};

use super::{pay, place, world};
use crate::inventory::Settlement;
use crate::payments::TEST_CARD_OK;

#[tokio::test]
async fn a_late_payment_sells_released_units_again_or_is_refunded_when_they_sold() {
    let w = world(3).await;
    let first = place(&w, 2).await;
    // The shard let the hold go (it does, some time after the deadline).
    let products = [w.product];
    let release = w.inventory.settle(first, &products, Settlement::Release);
    release.await.expect("released");
    pay(&w, first).await;
    let level = w.inventory.level(w.product).await.expect("a level");
    assert_eq!((level.sold, level.available()), (2, 1), "sold again");

    let late = place(&w, 1).await;
    let products = [w.product];
    let release = w.inventory.settle(late, &products, Settlement::Release);
    release.await.expect("released");
    let quick = place(&w, 1).await;
    pay(&w, quick).await;
    let order = w
        .orders
        .pay(late, w.buyer, TEST_CARD_OK.into())
        .await
        .expect("the payment is answered");
    assert_eq!(order.status(), OrderStatus::Cancelled);
    assert!(matches!(
        order.timeline.last().map(|e| &e.kind),
        Some(TimelineKind::SoldOut { event: None })
    ));
    let level = w.inventory.level(w.product).await.expect("a level");
    assert_eq!((level.sold, level.available()), (3, 0), "never oversold");
}
