//! The Stripe provider against localstripe: an order's payment intent is
//! made once however often it is asked for, confirmed or declined by the
//! card, cancelled, refunded once, and an unreachable Stripe is a clear
//! `Unavailable`.
// clippy.toml allows expect in `#[test]` functions only; the helpers here
// are test code too.
#![allow(clippy::expect_used)]

use std::time::Duration;

use secrecy::SecretString;
use souk_actors::payments::{IntentStatus, PaymentError, PaymentOutcome, PaymentProvider};
use souk_models::{Currency, Money, OrderId};
use souk_payments_stripe::testing::{LocalStripe, SECRET_KEY};
use souk_payments_stripe::{StripePayments, StripeSettings};

fn provider(api_base: String) -> StripePayments {
    StripePayments::new(&StripeSettings {
        secret_key: SecretString::from(SECRET_KEY),
        publishable_key: "pk_test_souk".into(),
        api_base,
        timeout: Duration::from_secs(5),
        webhook_secrets: vec![],
        plans: Default::default(),
    })
    .expect("the client builds")
}

fn usd(amount: i64) -> Money {
    Money::new(amount, Currency::USD).expect("a valid amount")
}

#[tokio::test]
async fn an_order_gets_one_payment_that_the_card_decides() {
    let Some(stripe) = LocalStripe::start().await else {
        return;
    };
    let payments = provider(stripe.url());
    let order = OrderId::new();
    let intent = payments.create(order, usd(2500)).await.expect("created");
    assert!(intent.provider_ref.starts_with("pi_"), "{intent:?}");
    assert!(intent.client_secret.starts_with(&intent.provider_ref));
    let again = payments
        .create(order, usd(2500))
        .await
        .expect("asked again");
    assert_eq!(again, intent, "placing again never makes a second payment");

    let waiting = payments.retrieve(&intent.provider_ref).await.expect("read");
    assert_eq!(waiting.status, IntentStatus::AwaitingPayment);
    assert_eq!(waiting.amount, usd(2500));

    let paid = payments.confirm(&intent.provider_ref, "pm_card_visa").await;
    assert_eq!(paid, Ok(PaymentOutcome::Succeeded));
    let state = payments.retrieve(&intent.provider_ref).await.expect("read");
    assert_eq!(state.status, IntentStatus::Succeeded);
    // Too late to cancel: it says it succeeded.
    let cancelled = payments
        .cancel(&intent.provider_ref)
        .await
        .expect("answered");
    assert_eq!(cancelled.status, IntentStatus::Succeeded);
    assert_eq!(payments.refund(&intent.provider_ref).await, Ok(()));
    assert_eq!(payments.refund(&intent.provider_ref).await, Ok(()), "once");

    let other = payments
        .create(OrderId::new(), usd(900))
        .await
        .expect("created");
    let declined = payments
        .confirm(&other.provider_ref, "pm_card_chargeCustomerFail")
        .await;
    assert!(
        matches!(declined, Ok(PaymentOutcome::Declined { .. })),
        "{declined:?}"
    );
    let unpaid = payments
        .cancel(&other.provider_ref)
        .await
        .expect("cancelled");
    assert_eq!(unpaid.status, IntentStatus::Canceled);
}

#[tokio::test]
async fn an_unreachable_stripe_is_unavailable() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port");
    let payments = provider(format!("http://{closed}"));
    let created = payments.create(OrderId::new(), usd(100)).await;
    assert!(
        matches!(created, Err(PaymentError::Unavailable(_))),
        "{created:?}"
    );
}
