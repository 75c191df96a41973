//! Stripe's webhooks pay orders: once per event, only when signed by a
//! configured secret within five minutes, and only for the right amount.

use reqwest::StatusCode;
use serde_json::json;
use souk_payments_stripe::testing::LocalStripe;

use super::{
    WEBHOOK_SECRET, deliver, entries, event, intent_of, now, on_stripe, order, ordered, signature,
    until_status,
};
use crate::helpers::{assert_problem, json};

#[tokio::test]
async fn the_buyers_client_pays_and_stripes_webhook_marks_the_order_paid() {
    let Some(stripe) = LocalStripe::start().await else {
        return;
    };
    let app = on_stripe(&stripe, &[]).await;
    stripe
        .send_events_to(&app.url("/api/v1/webhooks/stripe"), WEBHOOK_SECRET)
        .await;
    let (buyer, placed) = ordered(&app).await;
    let id = placed["id"].as_str().expect("an id");
    let intent = intent_of(&placed);
    let payment = &placed["payment"];
    assert_eq!(payment["provider"], "stripe");
    assert_eq!(payment["publishable_key"], "pk_test_souk");
    let secret = payment["client_secret"].as_str().expect("a client secret");
    assert!(secret.starts_with(&intent), "{payment}");

    // What Stripe.js does with the client secret, straight to Stripe: souk
    // hears of it only through the webhook.
    let path = format!("/v1/payment_intents/{intent}/confirm");
    let (status, confirmed) = stripe
        .call(&path, &[("payment_method", "pm_card_visa")])
        .await;
    assert_eq!(status, 200, "{confirmed}");
    let paid = until_status(&app, &buyer, id, "paid").await;
    assert_eq!(entries(&paid, "payment_succeeded"), 1);
    assert!(paid.get("payment").is_none(), "nothing left to confirm");
    let scraped = app.metrics_text().await;
    let applied = scraped.lines().any(|l| {
        l.starts_with("souk_payment_webhooks_total")
            && l.contains(r#"type="payment_intent.succeeded""#)
            && l.contains(r#"result="applied""#)
    });
    assert!(applied, "the delivery is counted");
    assert!(
        scraped.contains("souk_payment_webhook_to_paid_seconds_count"),
        "the time from Stripe's event to paid is measured"
    );
}

#[tokio::test]
async fn a_card_declined_on_the_server_leaves_the_order_payable() {
    let Some(stripe) = LocalStripe::start().await else {
        return;
    };
    let app = on_stripe(&stripe, &[]).await;
    stripe
        .send_events_to(&app.url("/api/v1/webhooks/stripe"), WEBHOOK_SECRET)
        .await;
    let (buyer, placed) = ordered(&app).await;
    let id = placed["id"].as_str().expect("an id");
    let path = format!("/api/v1/orders/{id}/pay");
    let declined = app
        .post(
            &path,
            Some(&buyer.token),
            json!({ "card_token": "pm_card_chargeCustomerFail" }),
        )
        .await;
    assert_problem(declined, StatusCode::PAYMENT_REQUIRED, "payment_declined").await;
    // Stripe's event for the same decline (sent a second later) adds nothing.
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let unpaid = order(&app, &buyer, id).await;
    assert_eq!(unpaid["status"], "pending_payment");
    assert_eq!(
        entries(&unpaid, "payment_declined"),
        1,
        "one decline, one entry: {unpaid}"
    );
    let paid = app
        .post(
            &path,
            Some(&buyer.token),
            json!({ "card_token": "pm_card_visa" }),
        )
        .await;
    assert_eq!(paid.status(), StatusCode::OK);
    assert_eq!(json(paid).await["status"], "paid");
}

#[tokio::test]
async fn forged_stale_repeated_and_late_events_change_nothing_twice() {
    let Some(stripe) = LocalStripe::start().await else {
        return;
    };
    let rotated = format!(r#"["whsec_new", "{WEBHOOK_SECRET}"]"#);
    let app = on_stripe(
        &stripe,
        &[("SOUK__PAYMENTS__STRIPE__WEBHOOK_SECRET", rotated.as_str())],
    )
    .await;
    let (buyer, placed) = ordered(&app).await;
    let id = placed["id"].as_str().expect("an id");
    let intent = intent_of(&placed);
    let succeeded = event("evt_paid", "payment_intent.succeeded", &intent, id, 2500);

    let forged = signature("whsec_guessed", now(), &succeeded);
    assert_problem(
        deliver(&app, &forged, &succeeded).await,
        StatusCode::BAD_REQUEST,
        "bad_signature",
    )
    .await;
    let stale = signature(WEBHOOK_SECRET, now() - 600, &succeeded);
    assert_problem(
        deliver(&app, &stale, &succeeded).await,
        StatusCode::BAD_REQUEST,
        "stale_signature",
    )
    .await;
    assert_problem(
        deliver(&app, "", &succeeded).await,
        StatusCode::BAD_REQUEST,
        "bad_signature",
    )
    .await;
    assert_eq!(order(&app, &buyer, id).await["status"], "pending_payment");

    // Another amount than the order's: flagged, not paid.
    let short = event("evt_short", "payment_intent.succeeded", &intent, id, 100);
    let answer = deliver(&app, &signature("whsec_new", now(), &short), &short).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let flagged = order(&app, &buyer, id).await;
    assert_eq!(flagged["status"], "pending_payment");
    assert_eq!(entries(&flagged, "payment_mismatch"), 1);

    // Signed with the older secret still configured; delivered twice.
    let signed = signature(WEBHOOK_SECRET, now(), &succeeded);
    for _ in 0..2 {
        let answer = deliver(&app, &signed, &succeeded).await;
        assert_eq!(answer.status(), StatusCode::OK);
        assert_eq!(json(answer).await["outcome"], "applied");
    }
    // A failure that arrives after the success changes nothing.
    let failed = event(
        "evt_failed",
        "payment_intent.payment_failed",
        &intent,
        id,
        2500,
    );
    let answer = deliver(&app, &signature(WEBHOOK_SECRET, now(), &failed), &failed).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let paid = order(&app, &buyer, id).await;
    assert_eq!(paid["status"], "paid");
    assert_eq!(entries(&paid, "payment_succeeded"), 1, "applied once");
    assert_eq!(entries(&paid, "payment_declined"), 0);

    // Event types souk does not act on are acknowledged.
    let other = r#"{"id":"evt_other","type":"customer.created","data":{"object":{"id":"cus_1"}}}"#;
    let answer = deliver(&app, &signature(WEBHOOK_SECRET, now(), other), other).await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(json(answer).await["outcome"], "ignored");
}
