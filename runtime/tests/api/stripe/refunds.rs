//! A part refund goes through Stripe once per key.

use reqwest::StatusCode;
use serde_json::json;
use souk_payments_stripe::testing::LocalStripe;

use super::{intent_of, on_stripe, ordered};
use crate::helpers::json;

#[tokio::test]
async fn a_part_refund_reaches_stripe_once() {
    let Some(stripe) = LocalStripe::start().await else {
        return;
    };
    let app = on_stripe(&stripe, &[]).await;
    let (buyer, placed) = ordered(&app).await;
    let id = placed["id"].as_str().expect("an id");
    let paid = app
        .post(
            &format!("/api/v1/orders/{id}/pay"),
            Some(&buyer.token),
            json!({ "card_token": "pm_card_visa" }),
        )
        .await;
    assert_eq!(paid.status(), StatusCode::OK);
    let admin = app.admin().await;
    for _ in 0..2 {
        let answer = app
            .client
            .post(app.url(&format!("/api/v1/orders/{id}/refunds")))
            .bearer_auth(&admin.token)
            .header("idempotency-key", "scratched-lid")
            .json(&json!({ "amount": { "amount": 700, "currency": "USD" }, "reason": "a scratched lid" }))
            .send()
            .await
            .expect("sent");
        assert_eq!(answer.status(), StatusCode::OK);
        assert_eq!(json(answer).await["status"], "paid");
    }
    let intent = intent_of(&placed);
    let (status, refunds) = stripe.get("/v1/refunds").await;
    assert_eq!(status, 200);
    let refunds: serde_json::Value = serde_json::from_str(&refunds).expect("JSON");
    let ours: Vec<i64> = refunds["data"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|r| r["payment_intent"] == intent.as_str())
        .map(|r| r["amount"].as_i64().unwrap_or(0))
        .collect();
    assert_eq!(ours, [700], "one refund of 700 at Stripe");
}
