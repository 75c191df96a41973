//! Live events across nodes: a WebSocket client on one node follows an
//! order placed and paid through the other, live and in order, and its
//! notifications; reconnecting to the other node with `since` gives
//! exactly what it missed.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{available_becomes, node, services, settled};
use crate::helpers::{Session, TestApp};
use crate::ws_client::{Client, connect};

/// Events until one of each `(topic, event)` wanted has come, by topic in
/// arrival order; fails if anything else comes.
async fn events_until(ws: &mut Client, wanted: &[(&str, &str)]) -> BTreeMap<String, Vec<Value>> {
    let mut got: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let done = |got: &BTreeMap<String, Vec<Value>>| {
        wanted.iter().all(|(topic, kind)| {
            got.get(*topic)
                .is_some_and(|events| events.iter().any(|e| e["event"] == *kind))
        })
    };
    while !done(&got) {
        let event = ws.expect("event").await;
        let topic = event["topic"].as_str().expect("a topic").to_owned();
        got.entry(topic).or_default().push(event);
    }
    got
}

fn seqs(events: &[Value]) -> Vec<u64> {
    events
        .iter()
        .map(|e| e["seq"].as_u64().expect("a seq"))
        .collect()
}

async fn pay(node: &TestApp, buyer: &Session, order: &str) {
    let path = format!("/api/v1/orders/{order}/pay");
    let paid = node
        .post(
            &path,
            Some(&buyer.token),
            json!({ "card_token": "tok_visa" }),
        )
        .await;
    assert_eq!(paid.status(), reqwest::StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_on_one_node_follows_what_happens_on_the_other() {
    let Some((database, redis)) = services().await else {
        return;
    };
    let a = node(&database, &redis, "node-a", true).await;
    let b = node(&database, &redis, "node-b", false).await;
    let admin = a.admin().await;
    settled(&a, &admin.token).await;
    let (seller, product) = a.shop("seller@example.com", 10).await;
    available_becomes(&b, &product, 10).await;
    let buyer = a.register("buyer@example.com", "customer").await;

    // Following its notifications on node-b, the buyer orders through
    // node-a: the order and the notification reach node-b.
    let mut on_b = connect(&b, &buyer.token).await;
    let start = on_b.subscribe("user:me").await["seq"]
        .as_u64()
        .expect("a seq");
    let order = a.place_order(&buyer, &product, 1).await;
    let id = order["id"].as_str().expect("an order id").to_owned();
    let topic = format!("order:{id}");
    let got = events_until(&mut on_b, &[("user:me", "order_status")]).await;
    assert_eq!(seqs(&got["user:me"]), vec![start + 1]);
    on_b.send(json!({ "type": "subscribe", "topic": topic, "since": 0 }))
        .await;
    assert_eq!(on_b.expect("subscribed").await["seq"], 2);
    for seq in [1, 2] {
        assert_eq!(
            on_b.expect("event").await["seq"],
            seq,
            "the timeline so far"
        );
    }

    // Paid through node-a: node-b's client sees it live, in order.
    pay(&a, &buyer, &id).await;
    let got = events_until(
        &mut on_b,
        &[(&topic, "payment_succeeded"), ("user:me", "payment")],
    )
    .await;
    assert_eq!(seqs(&got[&topic]), vec![3]);
    assert_eq!(seqs(&got["user:me"]), vec![start + 2]);
    drop(on_b);

    // While it is away, the seller ships through node-b.
    let ship = json!({ "carrier": "Parcelforce", "tracking_number": "PF1", "estimated_delivery": "2026-12-01" });
    let shipped = b
        .post(
            &format!("/api/v1/orders/{id}/ship"),
            Some(&seller.token),
            ship,
        )
        .await;
    assert_eq!(shipped.status(), reqwest::StatusCode::OK);

    // Back on node-a with `since`: exactly what it missed, on both topics.
    let mut on_a = connect(&a, &buyer.token).await;
    on_a.send(json!({ "type": "subscribe", "topic": "user:me", "since": start + 2 }))
        .await;
    on_a.expect("subscribed").await;
    let missed = on_a.expect("event").await;
    assert_eq!(missed["seq"], start + 3, "{missed}");
    assert_eq!(missed["data"]["status"], "shipped", "{missed}");
    on_a.send(json!({ "type": "subscribe", "topic": topic, "since": 3 }))
        .await;
    on_a.expect("subscribed").await;
    let missed = on_a.expect("event").await;
    assert_eq!(
        (missed["seq"].clone(), missed["event"].clone()),
        (json!(4), json!("shipped"))
    );
    on_a.ping_pong().await;
    b.stop().await;
    a.stop().await;
}
