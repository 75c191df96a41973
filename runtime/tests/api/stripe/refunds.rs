//! A part refund goes through Stripe once per key, and an approved
//! return's refund once per return.

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
    assert_eq!(
        refunds_at(&stripe, &intent).await,
        [700],
        "one refund of 700 at Stripe"
    );
}

/// The amounts Stripe refunded of `intent`.
pub async fn refunds_at(stripe: &LocalStripe, intent: &str) -> Vec<i64> {
    let (status, refunds) = stripe.get("/v1/refunds").await;
    assert_eq!(status, 200);
    let refunds: serde_json::Value = serde_json::from_str(&refunds).expect("JSON");
    refunds["data"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|r| r["payment_intent"] == intent)
        .map(|r| r["amount"].as_i64().unwrap_or(0))
        .collect()
}

#[tokio::test]
async fn an_approved_return_is_refunded_at_stripe_once_and_a_rejected_one_not_at_all() {
    let Some(stripe) = LocalStripe::start().await else {
        return;
    };
    let app = on_stripe(&stripe, &[]).await;
    let (_, product) = app.shop("seller@example.com", 10).await;
    let buyer = app.register("buyer@example.com", "customer").await;
    let placed = app.place_order(&buyer, &product, 2).await;
    let id = placed["id"].as_str().expect("an id");
    let pay = json!({ "card_token": "pm_card_visa" });
    app.order_action(&buyer, id, "pay", pay).await;
    let admin = app.admin().await;
    app.ship_and_deliver(&admin, id).await;

    let mut asked = Vec::new();
    for key in ["first", "second"] {
        let answer = app
            .client
            .post(app.url(&format!("/api/v1/orders/{id}/returns")))
            .bearer_auth(&buyer.token)
            .header("idempotency-key", key)
            .json(&json!({ "lines": [{ "product_id": product, "quantity": 1 }], "reason": "too big" }))
            .send()
            .await
            .expect("sent");
        assert_eq!(answer.status(), StatusCode::CREATED);
        asked.push(json(answer).await["id"].as_str().expect("an id").to_owned());
    }
    for _ in 0..2 {
        let path = format!("/api/v1/orders/{id}/returns/{}/approve", asked[0]);
        let approved = app
            .post(&path, Some(&admin.token), json!({ "restock": true }))
            .await;
        assert_eq!(approved.status(), StatusCode::OK);
    }
    let path = format!("/api/v1/orders/{id}/returns/{}/reject", asked[1]);
    let rejected = app
        .post(&path, Some(&admin.token), json!({ "reason": "used" }))
        .await;
    assert_eq!(rejected.status(), StatusCode::OK);
    let intent = intent_of(&placed);
    assert_eq!(
        refunds_at(&stripe, &intent).await,
        [2500],
        "one unit refunded, once"
    );
}

/// Stripe's `charge.refunded` for `intent`, `refunded` in all so far.
fn charge_refunded(id: &str, intent: &str, order: &str, refunded: i64) -> String {
    json!({
        "id": id, "object": "event", "type": "charge.refunded", "created": super::now(), "livemode": false,
        "data": { "object": {
            "id": "ch_souk_test", "object": "charge", "amount": 2500, "amount_refunded": refunded,
            "currency": "usd", "payment_intent": intent, "metadata": { "order_id": order },
        }},
    })
    .to_string()
}

#[tokio::test]
async fn refunds_made_in_stripes_dashboard_are_recorded_once() {
    let Some(stripe) = LocalStripe::start().await else {
        return;
    };
    let app = on_stripe(&stripe, &[]).await;
    let (buyer, placed) = ordered(&app).await;
    let id = placed["id"].as_str().expect("an id");
    let intent = intent_of(&placed);
    app.order_action(&buyer, id, "pay", json!({ "card_token": "pm_card_visa" }))
        .await;
    let admin = app.admin().await;
    let ours = app
        .client
        .post(app.url(&format!("/api/v1/orders/{id}/refunds")))
        .bearer_auth(&admin.token)
        .header("idempotency-key", "ours")
        .json(&json!({ "amount": { "amount": 500, "currency": "USD" }, "reason": "late" }))
        .send()
        .await
        .expect("sent");
    assert_eq!(ours.status(), StatusCode::OK);

    let send = |event: String| {
        let app = &app;
        async move {
            let header = super::signature(super::WEBHOOK_SECRET, super::now(), &event);
            let answer = super::deliver(app, &header, &event).await;
            assert_eq!(answer.status(), StatusCode::OK);
        }
    };
    send(charge_refunded("evt_ours", &intent, id, 500)).await;
    let seen = super::order(&app, &buyer, id).await;
    assert_eq!(
        super::entries(&seen, "refunded_at_provider"),
        0,
        "souk's own refund"
    );
    for _ in 0..2 {
        send(charge_refunded("evt_dash", &intent, id, 1200)).await;
    }
    let seen = super::order(&app, &buyer, id).await;
    assert_eq!(
        super::entries(&seen, "refunded_at_provider"),
        1,
        "once per event"
    );
    assert_eq!(seen["status"], "paid");
    send(charge_refunded("evt_rest", &intent, id, 2500)).await;
    let seen = super::order(&app, &buyer, id).await;
    assert_eq!(seen["status"], "refunded", "all of it is back");
    let amounts: Vec<i64> = seen["timeline"]
        .as_array()
        .expect("a timeline")
        .iter()
        .filter(|e| e["type"] == "refunded_at_provider")
        .map(|e| e["amount"]["amount"].as_i64().unwrap_or(0))
        .collect();
    assert_eq!(amounts, [700, 1300]);
}
