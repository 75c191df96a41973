//! Returns: asked by the buyer after delivery, within the window, once per
//! key and never more units than were bought; approved (refund, and the
//! units back on sale if chosen) or rejected by a seller of the lines or an
//! admin, each once.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, assert_problem, json, spawn_app, spawn_with};

async fn ask(
    app: &TestApp,
    buyer: &Session,
    order: &str,
    key: &str,
    lines: Value,
) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/orders/{order}/returns")))
        .bearer_auth(&buyer.token)
        .header("idempotency-key", key)
        .json(&json!({ "lines": lines, "reason": "too small" }))
        .send()
        .await
        .expect("the return request is sent")
}

async fn decide(
    app: &TestApp,
    by: &Session,
    order: &str,
    id: &str,
    decision: &str,
    body: Value,
) -> reqwest::Response {
    let path = format!("/api/v1/orders/{order}/returns/{id}/{decision}");
    app.post(&path, Some(&by.token), body).await
}

/// A delivered order of `quantity` kettles (2500 each, 5 in stock), paid.
async fn delivered(app: &TestApp, quantity: u32) -> (Session, Session, String, String) {
    let (seller, product) = app.shop("seller@example.com", 5).await;
    let buyer = app.register("buyer@example.com", "customer").await;
    let order = app.place_order(&buyer, &product, quantity).await;
    let id = order["id"].as_str().expect("an id").to_owned();
    app.order_action(&buyer, &id, "pay", json!({ "card_token": "tok_visa" }))
        .await;
    app.ship_and_deliver(&seller, &id).await;
    (seller, buyer, product, id)
}

async fn available(app: &TestApp, product: &str) -> i64 {
    let shown = json(app.get(&format!("/api/v1/products/{product}"), None).await).await;
    shown["stock"]["available"].as_i64().expect("a stock level")
}

fn lines(product: &str, quantity: u32) -> Value {
    json!([{ "product_id": product, "quantity": quantity }])
}

#[tokio::test]
async fn an_approved_return_refunds_and_restocks_once_and_a_rejected_one_frees_its_units() {
    let app = spawn_app().await;
    let (seller, buyer, product, id) = delivered(&app, 3).await;
    assert_eq!(available(&app, &product).await, 2);

    let first = json(ask(&app, &buyer, &id, "two-back", lines(&product, 2)).await).await;
    assert_eq!(first["status"], "requested");
    let again = ask(&app, &buyer, &id, "two-back", lines(&product, 2)).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(json(again).await["id"], first["id"], "once per key");
    let too_many = ask(&app, &buyer, &id, "two-more", lines(&product, 2)).await;
    assert_problem(too_many, StatusCode::UNPROCESSABLE_ENTITY, "not_on_order").await;
    let return_id = first["id"].as_str().expect("a return id");

    let by_buyer = decide(
        &app,
        &buyer,
        &id,
        return_id,
        "approve",
        json!({ "restock": true }),
    );
    assert_problem(by_buyer.await, StatusCode::FORBIDDEN, "forbidden_role").await;
    let stranger = app.register("other@example.com", "seller").await;
    let by_stranger = decide(
        &app,
        &stranger,
        &id,
        return_id,
        "approve",
        json!({ "restock": true }),
    );
    assert_problem(by_stranger.await, StatusCode::NOT_FOUND, "not_found").await;

    for _ in 0..2 {
        let approved = decide(
            &app,
            &seller,
            &id,
            return_id,
            "approve",
            json!({ "restock": true }),
        )
        .await;
        assert_eq!(approved.status(), StatusCode::OK);
        let approved = json(approved).await;
        assert_eq!(approved["status"], "approved");
        assert_eq!(
            approved["refund"],
            json!({ "amount": 5000, "currency": "USD" })
        );
        assert_eq!(
            available(&app, &product).await,
            4,
            "two units back on sale, once"
        );
    }
    let reject_late = decide(
        &app,
        &seller,
        &id,
        return_id,
        "reject",
        json!({ "reason": "no" }),
    );
    assert_problem(reject_late.await, StatusCode::CONFLICT, "return_decided").await;

    // The last unit: rejected, so it may be asked for again; then approved
    // without restock, which gives the whole payment back.
    let last = json(ask(&app, &buyer, &id, "last-1", lines(&product, 1)).await).await;
    let last_id = last["id"].as_str().expect("a return id");
    let admin = app.admin().await;
    let rejected = decide(
        &app,
        &admin,
        &id,
        last_id,
        "reject",
        json!({ "reason": "worn" }),
    )
    .await;
    let rejected = json(rejected).await;
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(rejected["rejection"], "worn");
    let approve_late = decide(
        &app,
        &admin,
        &id,
        last_id,
        "approve",
        json!({ "restock": true }),
    );
    assert_problem(approve_late.await, StatusCode::CONFLICT, "return_decided").await;
    let retry = json(ask(&app, &buyer, &id, "last-2", lines(&product, 1)).await).await;
    let retry_id = retry["id"].as_str().expect("a return id");
    let kept = decide(
        &app,
        &seller,
        &id,
        retry_id,
        "approve",
        json!({ "restock": false }),
    )
    .await;
    assert_eq!(json(kept).await["refund"]["amount"], 2500);
    assert_eq!(
        available(&app, &product).await,
        4,
        "written off, not restocked"
    );

    let order = json(
        app.get(&format!("/api/v1/orders/{id}"), Some(&buyer.token))
            .await,
    )
    .await;
    assert_eq!(order["status"], "refunded", "all of the payment is back");
    let steps: Vec<&str> = order["returns"]
        .as_array()
        .expect("returns")
        .iter()
        .map(|r| r["status"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(steps, ["approved", "rejected", "approved"]);
    let kinds: Vec<&str> = order["timeline"]
        .as_array()
        .expect("a timeline")
        .iter()
        .filter_map(|e| e["type"].as_str().filter(|t| t.starts_with("return_")))
        .collect();
    assert_eq!(
        kinds,
        [
            "return_requested",
            "return_approved",
            "return_requested",
            "return_rejected",
            "return_requested",
            "return_approved"
        ]
    );
}

#[tokio::test]
async fn returns_are_refused_before_delivery_outside_the_window_and_on_bad_input() {
    let app = spawn_with(&[("SOUK__MARKETPLACE__RETURN_WINDOW_DAYS", "0")], None).await;
    let (seller, product) = app.shop("seller@example.com", 5).await;
    let buyer = app.register("buyer@example.com", "customer").await;
    let order = app.place_order(&buyer, &product, 1).await;
    let id = order["id"].as_str().expect("an id").to_owned();
    let unpaid = ask(&app, &buyer, &id, "early", lines(&product, 1)).await;
    assert_problem(unpaid, StatusCode::CONFLICT, "not_returnable").await;

    app.order_action(&buyer, &id, "pay", json!({ "card_token": "tok_visa" }))
        .await;
    app.ship_and_deliver(&seller, &id).await;
    let closed = ask(&app, &buyer, &id, "late", lines(&product, 1)).await;
    assert_problem(closed, StatusCode::CONFLICT, "return_window_closed").await;

    let other = uuid::Uuid::new_v4().to_string();
    let not_ours = ask(&app, &buyer, &id, "other", lines(&other, 1)).await;
    assert_problem(not_ours, StatusCode::UNPROCESSABLE_ENTITY, "not_on_order").await;
    let empty = ask(&app, &buyer, &id, "empty", json!([])).await;
    assert_problem(empty, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
    let by_seller = ask(&app, &seller, &id, "seller", lines(&product, 1)).await;
    assert_problem(by_seller, StatusCode::FORBIDDEN, "forbidden_role").await;
    let keyless = app
        .post(
            &format!("/api/v1/orders/{id}/returns"),
            Some(&buyer.token),
            json!({ "lines": lines(&product, 1), "reason": "x" }),
        )
        .await;
    assert_problem(keyless, StatusCode::BAD_REQUEST, "missing_idempotency_key").await;
    let unknown = uuid::Uuid::new_v4().to_string();
    let missing = decide(
        &app,
        &seller,
        &id,
        &unknown,
        "approve",
        json!({ "restock": true }),
    );
    assert_problem(missing.await, StatusCode::NOT_FOUND, "not_found").await;
}
