//! A shopper's whole journey over the live API: the checkout ticket from the
//! queue to its order, then the order to delivery; and a seller's low-stock
//! alert.

#![allow(clippy::expect_used)]

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, address, assert_problem, json, spawn_with};
use crate::ws_client::{Client, connect};

/// Every event on `topic` until one satisfies `last` (other topics skipped).
async fn until(ws: &mut Client, topic: &str, last: impl Fn(&Value) -> bool) -> Vec<Value> {
    let mut seen = Vec::new();
    for _ in 0..100 {
        let message = ws.expect("event").await;
        if message["topic"] != topic {
            continue;
        }
        let done = last(&message);
        seen.push(message);
        if done {
            return seen;
        }
    }
    panic!("no final event on {topic}: {seen:?}");
}

/// Adds to the cart and checks out, answered at once with a ticket (the
/// app waits 0 ms for outcomes).
async fn queue(app: &TestApp, buyer: &Session, product: &str) -> String {
    let body = json!({ "product_id": product, "quantity": 1 });
    let added = app
        .post("/api/v1/cart/items", Some(&buyer.token), body)
        .await;
    assert_eq!(added.status(), StatusCode::OK);
    let response = app
        .client
        .post(app.url("/api/v1/checkout"))
        .bearer_auth(&buyer.token)
        .header("idempotency-key", "journey-1")
        .json(&json!({ "shipping_address": address() }))
        .send()
        .await
        .expect("checkout");
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let ticket = json(response).await;
    ticket["ticket"].as_str().expect("ticket id").to_owned()
}

#[tokio::test]
async fn a_shopper_follows_the_checkout_then_the_order_to_delivery() {
    let app = spawn_with(&[("SOUK__CHECKOUT__WAIT_MS", "0")], None).await;
    let (seller, product) = app.shop("seller@example.com", 20).await;
    let buyer = app.register("buyer@example.com", "customer").await;
    let ticket = queue(&app, &buyer, &product).await;

    let mut ws = connect(&app, &buyer.token).await;
    let topic = format!("checkout:{ticket}");
    ws.send(json!({ "type": "subscribe", "topic": topic, "since": 0 }))
        .await;
    ws.expect("subscribed").await;
    let checkout = until(&mut ws, &topic, |e| {
        e["data"]["status"] != "queued" && e["data"]["status"] != "processing"
    })
    .await;
    let seqs: Vec<u64> = checkout.iter().filter_map(|e| e["seq"].as_u64()).collect();
    let expected: Vec<u64> = (1..=checkout.len() as u64).collect();
    assert_eq!(seqs, expected, "every ticket event, in order, once");
    let statuses: Vec<&str> = checkout
        .iter()
        .filter_map(|e| e["data"]["status"].as_str())
        .filter(|s| *s != "queued")
        .collect();
    assert_eq!(statuses, vec!["processing", "completed"], "{checkout:?}");
    let order = checkout
        .last()
        .and_then(|e| e["data"]["order_id"].as_str())
        .expect("the completed ticket names its order")
        .to_owned();

    let topic = format!("order:{order}");
    ws.send(json!({ "type": "subscribe", "topic": topic, "since": 0 }))
        .await;
    ws.expect("subscribed").await;
    let placed = until(&mut ws, &topic, |e| e["event"] == "payment_created").await;
    app.order_action(&buyer, &order, "pay", json!({ "card_token": "tok_visa" }))
        .await;
    let paid = until(&mut ws, &topic, |e| e["event"] == "payment_succeeded").await;
    let shipment = json!({ "carrier": "Parcelforce", "tracking_number": "PF1", "estimated_delivery": "2026-12-01" });
    app.order_action(&seller, &order, "ship", shipment).await;
    let shipped = until(&mut ws, &topic, |e| e["event"] == "shipped").await;
    app.order_action(&seller, &order, "deliver", json!({}))
        .await;
    let delivered = until(&mut ws, &topic, |e| e["event"] == "delivered").await;

    let events: Vec<Value> = [placed, paid, shipped, delivered].concat();
    let ladder: Vec<(&str, &str)> = events
        .iter()
        .filter_map(|e| Some((e["event"].as_str()?, e["data"]["status"].as_str()?)))
        .collect();
    let rest = json(
        app.get(&format!("/api/v1/orders/{order}"), Some(&buyer.token))
            .await,
    )
    .await;
    let timeline: Vec<(&str, &str)> = rest["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter_map(|e| Some((e["type"].as_str()?, e["status"].as_str()?)))
        .collect();
    assert_eq!(
        ladder, timeline,
        "the live events are the timeline, in order"
    );
    assert_eq!(ladder.first(), Some(&("placed", "pending_payment")));
    assert_eq!(ladder.last(), Some(&("delivered", "delivered")));
    let shipped = events
        .iter()
        .find(|e| e["event"] == "shipped")
        .expect("shipped event");
    assert_eq!(shipped["data"]["carrier"], "Parcelforce");
    assert_eq!(shipped["data"]["tracking_number"], "PF1");
    assert_eq!(shipped["data"]["estimated_delivery"], "2026-12-01");
}

#[tokio::test]
async fn a_seller_hears_of_low_stock_as_it_happens() {
    let app = spawn_with(&[], None).await;
    let (seller, product) = app.shop("seller@example.com", 5).await;
    let mut ws = connect(&app, &seller.token).await;
    ws.subscribe("seller:me").await;
    let buyer = app.register("buyer@example.com", "customer").await;
    app.place_order(&buyer, &product, 2).await;
    let events = until(&mut ws, "seller:me", |e| e["event"] == "low_stock").await;
    let alert = events.last().expect("alert");
    assert_eq!(alert["data"]["product_id"], product.as_str());
    assert_eq!(alert["data"]["available"], 3);
    assert_eq!(alert["data"]["threshold"], 5);
    assert!(
        events.iter().any(|e| e["event"] == "stock"),
        "the stock change itself came first: {events:?}"
    );
}

#[tokio::test]
async fn a_product_alerts_at_its_own_low_stock_threshold() {
    let app = spawn_with(&[], None).await;
    let (seller, product) = app.shop("seller@example.com", 5).await;
    let path = format!("/api/v1/products/{product}");
    let body = json!({ "low_stock_threshold": 2 });
    let edited = json(app.patch(&path, Some(&seller.token), body).await).await;
    assert_eq!(edited["stock"]["low_stock_threshold"], 2);
    let mut ws = connect(&app, &seller.token).await;
    ws.subscribe("seller:me").await;
    let buyer = app.register("buyer@example.com", "customer").await;

    // 5 → 3 stays above the product's own threshold (the default 5 would alert).
    app.place_order(&buyer, &product, 2).await;
    // 3 → 1 drops under it.
    app.place_order(&buyer, &product, 2).await;
    let events = until(&mut ws, "seller:me", |e| e["event"] == "low_stock").await;
    let alerts: Vec<_> = events
        .iter()
        .filter(|e| e["event"] == "low_stock")
        .collect();
    assert_eq!(alerts.len(), 1, "{events:?}");
    assert_eq!(alerts[0]["data"]["available"], 1);
    assert_eq!(alerts[0]["data"]["threshold"], 2);
    let stock: Vec<_> = events.iter().filter(|e| e["event"] == "stock").collect();
    assert!(
        stock.len() >= 2,
        "both stock changes came first: {events:?}"
    );

    let bad = json!({ "low_stock_threshold": -1 });
    let problem = assert_problem(
        app.patch(&path, Some(&seller.token), bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
    )
    .await;
    assert_eq!(problem["field"], "low_stock_threshold");

    // `null` goes back to the marketplace default.
    let body = json!({ "low_stock_threshold": null });
    let reset = json(app.patch(&path, Some(&seller.token), body).await).await;
    assert_eq!(reset["stock"]["low_stock_threshold"], Value::Null);
}
