//! Payments through Stripe, against localstripe started by the tests: paid
//! by the buyer's client and Stripe's webhook, declined then paid on the
//! server, webhooks forged, stale, repeated, out of order and signed with a
//! rotated secret, deadlines reconciled both ways, and Stripe unreachable.
//! This file holds what they share.

mod deadlines;
mod memberships;
mod refunds;
mod webhooks;

use std::time::Duration;

use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;
use souk_payments_stripe::testing::{LocalStripe, SECRET_KEY};

use crate::helpers::{Session, TestApp, json, spawn_with};

pub const WEBHOOK_SECRET: &str = "whsec_souk_tests";

/// The app on Stripe at `stripe`, with `extra` settings.
pub async fn on_stripe(stripe: &LocalStripe, extra: &[(&str, &str)]) -> TestApp {
    let base = stripe.url();
    let mut settings = vec![
        ("SOUK__PAYMENTS__PROVIDER", "stripe"),
        ("SOUK__PAYMENTS__STRIPE__SECRET_KEY", SECRET_KEY),
        ("SOUK__PAYMENTS__STRIPE__PUBLISHABLE_KEY", "pk_test_souk"),
        ("SOUK__PAYMENTS__STRIPE__WEBHOOK_SECRET", WEBHOOK_SECRET),
        ("SOUK__PAYMENTS__STRIPE__API_BASE", base.as_str()),
    ];
    settings.extend_from_slice(extra);
    spawn_with(&settings, None).await
}

/// A buyer with an order for one kettle (2500 USD cents); the order.
pub async fn ordered(app: &TestApp) -> (Session, Value) {
    let (_, product) = app.shop("seller@example.com", 10).await;
    let buyer = app.register("buyer@example.com", "customer").await;
    let order = app.place_order(&buyer, &product, 1).await;
    (buyer, order)
}

/// The order's payment intent (`pi_…`).
pub fn intent_of(order: &Value) -> String {
    let timeline = order["timeline"].as_array().cloned().unwrap_or_default();
    timeline
        .iter()
        .find_map(|e| e["provider_ref"].as_str().map(str::to_owned))
        .expect("the order has a payment")
}

pub async fn order(app: &TestApp, buyer: &Session, id: &str) -> Value {
    let path = format!("/api/v1/orders/{id}");
    let response = app.get(&path, Some(&buyer.token)).await;
    assert_eq!(response.status(), StatusCode::OK);
    json(response).await
}

/// Waits (up to 15 s) until the order is `status`; returns it.
pub async fn until_status(app: &TestApp, buyer: &Session, id: &str, status: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let order = order(app, buyer, id).await;
        if order["status"] == status {
            return order;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the order did not become {status}: {order}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// How many timeline entries of `kind` the order has.
pub fn entries(order: &Value, kind: &str) -> usize {
    let timeline = order["timeline"].as_array().cloned().unwrap_or_default();
    timeline.iter().filter(|e| e["type"] == kind).count()
}

/// A `Stripe-Signature` header for `body` signed at `t` with `secret`.
pub fn signature(secret: &str, t: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(format!("{t}.{body}").as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={t},v1={hex}")
}

pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// An event about order `order`'s payment `intent`, as Stripe sends it.
pub fn event(id: &str, kind: &str, intent: &str, order: &str, amount: i64) -> String {
    json!({
        "id": id, "object": "event", "type": kind, "created": now(), "livemode": false,
        "data": { "object": {
            "id": intent, "object": "payment_intent", "amount": amount,
            "amount_received": amount, "currency": "usd",
            "metadata": { "order_id": order },
            "last_payment_error": { "code": "card_declined", "decline_code": "generic_decline" },
        }},
    })
    .to_string()
}

/// Delivers `body` to the app's webhook endpoint under `header`.
pub async fn deliver(app: &TestApp, header: &str, body: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/webhooks/stripe"))
        .header("stripe-signature", header)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("the webhook is delivered")
}
