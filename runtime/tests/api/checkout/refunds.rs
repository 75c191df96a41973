//! Part refunds of a paid order: by amount or by lines, once per key, never
//! more than is left, admins only; then what is left in full.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, assert_problem, json, spawn_app};

async fn refund(
    app: &TestApp,
    admin: &Session,
    order: &str,
    key: Option<&str>,
    body: Value,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url(&format!("/api/v1/orders/{order}/refunds")))
        .bearer_auth(&admin.token)
        .json(&body);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    request.send().await.expect("the refund request is sent")
}

fn refunded(order: &Value) -> Vec<i64> {
    let timeline = order["timeline"].as_array().cloned().unwrap_or_default();
    timeline
        .iter()
        .filter(|e| e["type"] == "part_refunded")
        .map(|e| e["amount"]["amount"].as_i64().unwrap_or(0))
        .collect()
}

fn usd(amount: i64) -> Value {
    json!({ "amount": amount, "currency": "USD" })
}

#[tokio::test]
async fn part_refunds_go_back_once_each_and_never_more_than_was_paid() {
    let app = spawn_app().await;
    let (_, product) = app.shop("seller@example.com", 5).await;
    let buyer = app.register("buyer@example.com", "customer").await;
    let admin = app.admin().await;
    let order = app.place_order(&buyer, &product, 2).await; // 2 × 2500
    let id = order["id"].as_str().expect("an id").to_owned();
    let unpaid = refund(
        &app,
        &admin,
        &id,
        Some("early"),
        json!({ "amount": usd(100), "reason": "goodwill" }),
    )
    .await;
    assert_problem(unpaid, StatusCode::CONFLICT, "invalid_transition").await;
    app.order_action(&buyer, &id, "pay", json!({ "card_token": "tok_visa" }))
        .await;

    let by_amount = json!({ "amount": usd(1000), "reason": "arrived late" });
    for _ in 0..2 {
        let answer = refund(&app, &admin, &id, Some("late-1"), by_amount.clone()).await;
        assert_eq!(answer.status(), StatusCode::OK);
        let order = json(answer).await;
        assert_eq!(refunded(&order), [1000], "once per key");
        assert_eq!(order["status"], "paid", "the order goes on");
    }
    let by_lines =
        json!({ "lines": [{ "product_id": product, "quantity": 1 }], "reason": "one was dented" });
    let order = json(refund(&app, &admin, &id, Some("dent-1"), by_lines).await).await;
    assert_eq!(refunded(&order), [1000, 2500]);

    let too_much = json!({ "amount": usd(1501), "reason": "more" });
    assert_problem(
        refund(&app, &admin, &id, Some("more-1"), too_much).await,
        StatusCode::CONFLICT,
        "refund_exceeds_payment",
    )
    .await;
    let euros = json!({ "amount": { "amount": 100, "currency": "EUR" }, "reason": "x" });
    assert_problem(
        refund(&app, &admin, &id, Some("eur-1"), euros).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "wrong_currency",
    )
    .await;
    let both = json!({ "amount": usd(1), "lines": [], "reason": "x" });
    assert_problem(
        refund(&app, &admin, &id, Some("both-1"), both).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
    )
    .await;
    let keyless = json!({ "amount": usd(1), "reason": "x" });
    assert_problem(
        refund(&app, &admin, &id, None, keyless.clone()).await,
        StatusCode::BAD_REQUEST,
        "missing_idempotency_key",
    )
    .await;
    assert_problem(
        refund(&app, &buyer, &id, Some("mine"), keyless).await,
        StatusCode::FORBIDDEN,
        "forbidden_role",
    )
    .await;

    // What is left (1500) in full: the order ends refunded.
    let path = format!("/api/v1/orders/{id}/refund");
    let answer = app.post(&path, Some(&admin.token), json!({})).await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(json(answer).await["status"], "refunded");
}
