//! Order topics over the live API: who may follow an order, the replay of
//! missed timeline entries, and the live transitions, new-order and admin
//! feeds the actors publish.

#![allow(clippy::expect_used)]

use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, json, spawn_app};
use crate::ws_client::{Client, connect};

/// A shop with a buyer who placed an order; returns (seller, buyer, order id).
async fn ordered(app: &TestApp) -> (Session, Session, String) {
    let (seller, product) = app.shop("seller@example.com", 5).await;
    let buyer = app.register("buyer@example.com", "customer").await;
    let order = app.place_order(&buyer, &product, 1).await;
    let id = order["id"].as_str().expect("order id").to_owned();
    (seller, buyer, id)
}

fn ship() -> Value {
    json!({ "carrier": "Parcelforce", "tracking_number": "PF1", "estimated_delivery": "2026-12-01" })
}

/// The order's timeline as the REST API shows it to `user`.
async fn timeline(app: &TestApp, user: &Session, id: &str) -> Vec<Value> {
    let order = json(
        app.get(&format!("/api/v1/orders/{id}"), Some(&user.token))
            .await,
    )
    .await;
    order["timeline"].as_array().cloned().expect("timeline")
}

/// Asserts `event` is `entry` of order `id`'s timeline, as an event.
fn assert_entry(event: &Value, id: &str, entry: &Value) {
    assert_eq!(event["type"], "event", "{event}");
    assert_eq!(event["topic"], format!("order:{id}"));
    assert_eq!(event["seq"], entry["seq"], "{event}");
    assert_eq!(event["event"], entry["type"], "{event}");
    assert_eq!(event["at"], entry["at"]);
    let mut data = entry.clone();
    if let Value::Object(fields) = &mut data {
        fields.remove("type");
        fields.insert("order_id".into(), json!(id));
    }
    assert_eq!(
        event["data"], data,
        "replayed and live events carry the entry"
    );
}

#[tokio::test]
async fn only_those_who_may_see_an_order_can_follow_it() {
    let app = spawn_app().await;
    let (seller, buyer, id) = ordered(&app).await;
    let topic = format!("order:{id}");
    let stranger = app.register("stranger@example.com", "customer").await;
    let mut ws = connect(&app, &stranger.token).await;
    let unknown_order = format!("order:{}", uuid::Uuid::now_v7());
    let unknown_ticket = format!("checkout:{}", uuid::Uuid::now_v7());
    for refused in [&topic, &unknown_order, &unknown_ticket] {
        ws.send(json!({ "type": "subscribe", "topic": refused }))
            .await;
        let error = ws.expect_error("forbidden").await;
        assert_eq!(error["topic"], refused.as_str());
    }
    ws.ping_pong().await;

    let latest = timeline(&app, &buyer, &id).await.len() as u64;
    let admin = app.admin().await;
    for allowed in [&buyer, &seller, &admin] {
        let mut ws = connect(&app, &allowed.token).await;
        let subscribed = ws.subscribe(&topic).await;
        assert_eq!(subscribed["seq"], latest, "{subscribed}");
    }
}

#[tokio::test]
async fn a_reconnecting_client_gets_exactly_the_missed_timeline_entries() {
    let app = spawn_app().await;
    let (seller, buyer, id) = ordered(&app).await;
    app.order_action(&buyer, &id, "pay", json!({ "card_token": "tok_visa" }))
        .await;
    app.order_action(&seller, &id, "ship", ship()).await;
    let entries = timeline(&app, &buyer, &id).await;
    let latest = entries.len() as u64;
    assert!(latest >= 3, "{entries:?}");
    let topic = format!("order:{id}");

    let mut ws = connect(&app, &buyer.token).await;
    ws.send(json!({ "type": "subscribe", "topic": topic, "since": 1 }))
        .await;
    assert_eq!(ws.expect("subscribed").await["seq"], latest);
    for entry in &entries[1..] {
        assert_entry(&ws.recv().await, &id, entry);
    }
    ws.ping_pong().await;

    let mut caught_up = connect(&app, &buyer.token).await;
    caught_up
        .send(json!({ "type": "subscribe", "topic": topic, "since": latest }))
        .await;
    assert_eq!(caught_up.expect("subscribed").await["seq"], latest);
    caught_up.ping_pong().await;

    let mut ahead = connect(&app, &buyer.token).await;
    ahead
        .send(json!({ "type": "subscribe", "topic": topic, "since": latest + 5 }))
        .await;
    ahead.expect("subscribed").await;
    let gap = ahead.expect("gap").await;
    assert_eq!(
        gap,
        json!({ "type": "gap", "topic": topic, "since": latest + 5, "oldest": 1, "latest": latest })
    );
}

/// Reads events until one of type `kind` comes (others, e.g. stock changes
/// or the admin summary, are skipped).
async fn next_event(ws: &mut Client, kind: &str, matching: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..50 {
        let message = ws.expect("event").await;
        if message["event"] == kind && matching(&message) {
            return message;
        }
    }
    panic!("no {kind} event");
}

#[tokio::test]
async fn the_buyer_follows_an_order_live_from_payment_to_delivery() {
    let app = spawn_app().await;
    let (seller, buyer, id) = ordered(&app).await;
    let mut ws = connect(&app, &buyer.token).await;
    let topic = format!("order:{id}");
    let start = ws.subscribe(&topic).await["seq"].as_u64().expect("seq");
    let mut notes = connect(&app, &buyer.token).await;
    notes.subscribe("user:me").await;

    app.order_action(&buyer, &id, "pay", json!({ "card_token": "tok_visa" }))
        .await;
    app.order_action(&seller, &id, "ship", ship()).await;
    app.order_action(&seller, &id, "deliver", json!({})).await;
    let entries = timeline(&app, &buyer, &id).await;
    assert_eq!(entries.len() as u64, start + 3, "{entries:?}");
    for entry in &entries[start as usize..] {
        assert_entry(&ws.recv().await, &id, entry);
    }
    ws.ping_pong().await;

    let paid = next_event(&mut notes, "payment", |e| {
        e["data"]["order_id"] == id.as_str()
    })
    .await;
    assert_eq!(paid["topic"], "user:me");
    assert_eq!(paid["data"]["outcome"], "succeeded");
}

#[tokio::test]
async fn sellers_and_admins_see_new_orders_live() {
    let app = spawn_app().await;
    let (seller, product) = app.shop("seller@example.com", 5).await;
    let admin = app.admin().await;
    let mut sales = connect(&app, &seller.token).await;
    sales.subscribe("seller:me").await;
    let mut feed = connect(&app, &admin.token).await;
    feed.subscribe("admin:live").await;

    let buyer = app.register("buyer@example.com", "customer").await;
    let order = app.place_order(&buyer, &product, 2).await;
    let id = order["id"].as_str().expect("order id").to_owned();
    let new_order = next_event(&mut sales, "new_order", |_| true).await;
    assert_eq!(new_order["topic"], "seller:me");
    assert_eq!(new_order["data"]["order_id"], id.as_str());
    assert_eq!(
        new_order["data"]["lines"][0]["product_id"],
        product.as_str()
    );
    let placed = next_event(&mut feed, "order_transition", |e| {
        e["data"]["order_id"] == id.as_str()
    })
    .await;
    assert_eq!(placed["topic"], "admin:live");
    let seq = placed["seq"].as_u64().expect("seq");
    assert!(seq >= 1, "{placed}");
}
