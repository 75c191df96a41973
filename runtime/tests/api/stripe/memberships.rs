//! Memberships as Stripe subscriptions: bought with a card (a decline buys
//! nothing), renewed by a paid invoice's webhook, put the shopper's
//! checkouts in the priority lane, cancelled
//! at the period's end through souk, and ended by Stripe's webhook when the
//! subscription is cancelled there.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use souk_payments_stripe::testing::LocalStripe;

use super::{WEBHOOK_SECRET, on_stripe};
use crate::helpers::{assert_problem, json};

#[tokio::test]
async fn a_membership_is_a_stripe_subscription_its_webhooks_keep_current() {
    let Some(stripe) = LocalStripe::start().await else {
        return;
    };
    for (id, amount) in [("plan_plus", "999"), ("plan_premium", "1999")] {
        let plan = [
            ("id", id),
            ("amount", amount),
            ("currency", "usd"),
            ("interval", "month"),
            ("name", id),
        ];
        let (status, body) = stripe.call("/v1/plans", &plan).await;
        assert_eq!(status, 200, "{body}");
    }
    let plans = [
        ("SOUK__PAYMENTS__STRIPE__PLANS__PLUS", "plan_plus"),
        ("SOUK__PAYMENTS__STRIPE__PLANS__PREMIUM", "plan_premium"),
        ("SOUK__CHECKOUT__WAIT_MS", "0"),
    ];
    let app = on_stripe(&stripe, &plans).await;
    stripe
        .send_events_to(&app.url("/api/v1/webhooks/stripe"), WEBHOOK_SECRET)
        .await;
    let (_, product) = app.shop("seller@example.com", 10).await;
    let shopper = app.register("shopper@example.com", "customer").await;

    let declined = app
        .buy_membership(&shopper, "pm_card_chargeCustomerFail")
        .await;
    assert_problem(declined, StatusCode::PAYMENT_REQUIRED, "payment_declined").await;
    assert_eq!(app.membership(&shopper).await["tier"], "standard");
    let bought = app.buy_membership(&shopper, "pm_card_visa").await;
    assert_eq!(bought.status(), StatusCode::CREATED);
    let bought = json(bought).await;
    assert_eq!(bought["tier"], "plus");
    let sub = bought["membership"]["provider_ref"]
        .as_str()
        .expect("a subscription")
        .to_owned();
    let (status, at_stripe) = stripe.get(&format!("/v1/subscriptions/{sub}")).await;
    assert_eq!(status, 200);
    let at_stripe: Value = serde_json::from_str(&at_stripe).expect("JSON");
    assert_eq!(at_stripe["status"], "active");
    assert_eq!(at_stripe["metadata"]["user_id"], shopper.id.as_str());

    // A renewal's paid invoice (signed here: localstripe cannot advance
    // time): souk reads the subscription back and keeps the tier.
    let invoice = json!({
        "id": "evt_renewal", "object": "event", "type": "invoice.paid", "created": super::now(),
        "data": { "object": { "id": "in_renewal", "object": "invoice", "subscription": sub } },
    })
    .to_string();
    let header = super::signature(WEBHOOK_SECRET, super::now(), &invoice);
    let renewal = json(super::deliver(&app, &header, &invoice).await).await;
    assert_eq!(renewal["outcome"], "applied");
    assert_eq!(
        app.membership(&shopper).await["membership"]["status"],
        "active"
    );

    // A subscription Stripe does not know (another app's, long deleted) is
    // acknowledged and changes nothing.
    let unknown = json!({
        "id": "evt_unknown", "object": "event", "type": "customer.subscription.updated", "created": super::now(),
        "data": { "object": { "id": "sub_unknown", "object": "subscription" } },
    })
    .to_string();
    let header = super::signature(WEBHOOK_SECRET, super::now(), &unknown);
    let unmatched = json(super::deliver(&app, &header, &unknown).await).await;
    assert_eq!(unmatched["outcome"], "unmatched");

    let queued = app.try_place_order(&shopper, &product, 1).await;
    assert_eq!(json(queued).await["lane"], "priority");

    let cancelled = app
        .post(
            "/api/v1/memberships/me/cancel",
            Some(&shopper.token),
            json!({}),
        )
        .await;
    assert_eq!(
        json(cancelled).await["membership"]["cancel_at_period_end"],
        true
    );
    let (_, at_stripe) = stripe.get(&format!("/v1/subscriptions/{sub}")).await;
    assert!(
        at_stripe.contains(r#""cancel_at_period_end": true"#)
            || at_stripe.contains(r#""cancel_at_period_end":true"#),
        "{at_stripe}"
    );

    // Cancelled at once in Stripe's dashboard: its webhook ends it here.
    let (status, body) = stripe.delete(&format!("/v1/subscriptions/{sub}")).await;
    assert_eq!(status, 200, "{body}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let now = app.membership(&shopper).await;
        if now["membership"]["status"] == "ended" {
            assert_eq!(now["tier"], "standard");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "not ended: {now}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
