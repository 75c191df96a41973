//! At the payment deadline souk asks Stripe before expiring: a payment that
//! went through (its webhook lost) pays the order; any other is cancelled.
//! And when Stripe cannot be reached, checkout says so and holds nothing.

use reqwest::StatusCode;
use souk_payments_stripe::testing::LocalStripe;

use super::{intent_of, on_stripe, ordered, until_status};
use crate::helpers::{assert_problem, json};

#[tokio::test]
async fn a_deadline_pays_what_stripe_collected_and_cancels_the_rest() {
    let Some(stripe) = LocalStripe::start().await else {
        return;
    };
    // No webhooks reach souk: only the deadline can find out.
    let app = on_stripe(&stripe, &[("SOUK__CHECKOUT__PAYMENT_WINDOW_SECS", "5")]).await;
    let (buyer, collected) = ordered(&app).await;
    let unpaid = app.place_order(&buyer, &product_of(&collected), 1).await;
    let path = format!("/v1/payment_intents/{}/confirm", intent_of(&collected));
    let (status, body) = stripe
        .call(&path, &[("payment_method", "pm_card_visa")])
        .await;
    assert_eq!(status, 200, "{body}");

    let id = |order: &serde_json::Value| order["id"].as_str().expect("an id").to_owned();
    until_status(&app, &buyer, &id(&collected), "paid").await;
    until_status(&app, &buyer, &id(&unpaid), "expired").await;
    let (status, intent) = stripe
        .get(&format!("/v1/payment_intents/{}", intent_of(&unpaid)))
        .await;
    assert_eq!(status, 200);
    assert!(
        intent.contains(r#""status": "canceled""#),
        "cancelled: {intent}"
    );
}

fn product_of(order: &serde_json::Value) -> String {
    order["lines"][0]["product_id"]
        .as_str()
        .expect("a product")
        .to_owned()
}

#[tokio::test]
async fn an_unreachable_stripe_refuses_checkout_and_holds_no_stock() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port");
    let base = format!("http://{closed}");
    let app = crate::helpers::spawn_with(
        &[
            ("SOUK__PAYMENTS__PROVIDER", "stripe"),
            ("SOUK__PAYMENTS__STRIPE__SECRET_KEY", "sk_test_unreachable"),
            (
                "SOUK__PAYMENTS__STRIPE__PUBLISHABLE_KEY",
                "pk_test_unreachable",
            ),
            (
                "SOUK__PAYMENTS__STRIPE__WEBHOOK_SECRET",
                "whsec_unreachable",
            ),
            ("SOUK__PAYMENTS__STRIPE__API_BASE", base.as_str()),
            ("SOUK__PAYMENTS__STRIPE__TIMEOUT_MS", "1000"),
        ],
        None,
    )
    .await;
    let (_, product) = app.shop("seller@example.com", 3).await;
    let buyer = app.register("buyer@example.com", "customer").await;
    let refused = app.try_place_order(&buyer, &product, 1).await;
    assert_problem(refused, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    let shown = json(app.get(&format!("/api/v1/products/{product}"), None).await).await;
    assert_eq!(shown["stock"]["available"], 3, "nothing held");
    let cart = json(app.get("/api/v1/cart", Some(&buyer.token)).await).await;
    assert_eq!(
        cart["items"].as_array().map(Vec::len),
        Some(1),
        "the cart is kept"
    );
}
