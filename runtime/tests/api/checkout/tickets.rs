//! A checkout that waits answers with a ticket; cancelling before payment
//! gives the stock back.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{add, address, checkout, shop};
use crate::helpers::{assert_problem, json, spawn_app, spawn_with};

#[tokio::test]
async fn a_slow_checkout_answers_with_a_ticket_its_owner_can_follow() {
    let app = spawn_with(&[("SOUK__CHECKOUT__WAIT_MS", "0")], None).await;
    let (_seller, product) = shop(&app, 5).await;
    let buyer = app.register("buyer@example.com", "customer").await;
    add(&app, &buyer, &product, 1).await;
    let accepted = checkout(&app, &buyer, "k", json!({ "shipping_address": address() })).await;
    assert_eq!(accepted.status(), StatusCode::ACCEPTED);
    let queued = json(accepted).await;
    assert_eq!(queued["lane"], "standard");
    let ticket = queued["ticket"].as_str().expect("a ticket id").to_owned();
    let path = format!("/api/v1/checkout/{ticket}");
    let mut view = Value::Null;
    for _ in 0..100 {
        view = json(app.get(&path, Some(&buyer.token)).await).await;
        if view["state"] == "completed" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(view["state"], "completed", "{view}");
    let order = format!(
        "/api/v1/orders/{}",
        view["order_id"].as_str().expect("an order id")
    );
    assert_eq!(
        json(app.get(&order, Some(&buyer.token)).await).await["status"],
        "pending_payment"
    );
    let stranger = app.register("s2@example.com", "customer").await;
    assert_problem(
        app.get(&path, Some(&stranger.token)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn cancelling_before_payment_returns_the_stock() {
    let app = spawn_app().await;
    let (_seller, product) = shop(&app, 2).await;
    let buyer = app.register("buyer@example.com", "customer").await;
    add(&app, &buyer, &product, 2).await;
    let order =
        json(checkout(&app, &buyer, "k", json!({ "shipping_address": address() })).await).await;
    let id = order["id"].as_str().expect("an order id").to_owned();
    let moved = app.patch(&format!("/api/v1/orders/{id}/address"), Some(&buyer.token), json!({ "shipping_address": { "name": "Bo", "line1": "9 New St", "city": "Leeds", "postal_code": "LS1", "country": "GB" } })).await;
    assert_eq!(json(moved).await["shipping_address"]["city"], "Leeds");
    let cancelled = json(
        app.post(
            &format!("/api/v1/orders/{id}/cancel"),
            Some(&buyer.token),
            json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(cancelled["status"], "cancelled");
    let stock = json(app.get(&format!("/api/v1/products/{product}"), None).await).await;
    assert_eq!(stock["stock"]["available"], 2);
    let pay = app
        .post(
            &format!("/api/v1/orders/{id}/pay"),
            Some(&buyer.token),
            json!({ "card_token": "tok_visa" }),
        )
        .await;
    assert_problem(pay, StatusCode::CONFLICT, "invalid_transition").await;
}
