//! Checkouts and payments as the live topics see them.

use super::*;

fn kinds(events: &[Arc<crate::events::Event>]) -> Vec<&'static str> {
    events.iter().map(|e| e.kind).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checkout_and_payment_reach_the_live_topics() {
    use crate::events::{Replay, Sink, Topic};
    let (shop, ids) = shop(&[10], config(4, 100, Duration::from_secs(30))).await;
    let user = shopper(Tier::Standard);
    let (sink, mut buyer_rx, _) = Sink::new(64);
    shop.events.subscribe(Topic::User(user.id), None, sink);
    fill(&shop, &user, &[(ids[0], 1)]).await;
    let order_id = match shop.checkout.submit(&user, "k", address()).await {
        Ok(CheckoutOutcome::Completed { order_id, .. }) => order_id,
        other => panic!("{other:?}"),
    };
    let (sink, mut order_rx, _) = Sink::new(64);
    shop.events.subscribe(Topic::Order(order_id), Some(2), sink);
    let caller = souk_models::Caller {
        user_id: user.id,
        role: Role::Customer,
    };
    shop.orders
        .pay(order_id, caller, "tok_visa".into())
        .await
        .expect("the order is paid");
    let paid = order_rx.recv().await;
    assert_eq!(
        paid.as_ref().map(|e| (e.seq, e.kind)),
        Some((3, "payment_succeeded")),
        "the order topic carries the timeline's seq"
    );
    let mut buyer = Vec::new();
    while let Ok(event) = buyer_rx.try_recv() {
        buyer.push(event);
    }
    assert_eq!(kinds(&buyer), vec!["order_status", "payment"]);
    let (sink, _rx, _) = Sink::new(64);
    let (_, replay) = shop.events.subscribe(Topic::AdminLive, Some(0), sink);
    let Replay::Events(feed) = replay else {
        panic!("the admin window holds everything so far");
    };
    assert_eq!(
        kinds(&feed),
        vec![
            "order_transition",
            "order_transition",
            "checkout",
            "order_transition"
        ]
    );
    let seller = shop
        .catalog
        .get_any(ids[0])
        .map(|e| e.product.seller_id)
        .expect("the seeded product");
    let (sink, _rx, _) = Sink::new(64);
    let (_, replay) = shop.events.subscribe(Topic::Seller(seller), Some(0), sink);
    let Replay::Events(seller_feed) = replay else {
        panic!("the seller window holds everything so far");
    };
    assert_eq!(
        kinds(&seller_feed),
        vec!["stock", "new_order", "stock"],
        "reserved, ordered, sold"
    );
    assert_eq!(shop.events.stats().totals().orders_paid, 1);
    assert_eq!(shop.events.stats().totals().checkouts, 1);
}
