//! Stripe as souk's payment provider, through async-stripe: an order's
//! payment is a PaymentIntent created once per order (its idempotency key
//! and `metadata.order_id` name the order), confirmed by the buyer's client
//! with Stripe.js or on the server with a payment method, and paid when
//! Stripe says so.

mod answers;
mod subscriptions;
#[cfg(feature = "testing")]
pub mod testing;
pub mod webhook;

pub use subscriptions::Plans;

use std::time::Duration;

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use souk_actors::payments::{
    IntentState, PaymentError, PaymentIntent, PaymentOutcome, PaymentProvider, ProviderEvent,
    Subscription, WebhookError,
};
use souk_models::{Money, OrderId, Tier, UserId};
use stripe::{Client, ClientBuilder, IdempotencyKey, RequestStrategy, StripeRequest};
use stripe_core::payment_intent::{
    CancelPaymentIntent, ConfirmPaymentIntent, CreatePaymentIntent, RetrievePaymentIntent,
};
use stripe_core::refund::CreateRefund;

use answers::{declined, failure, intent_state, stripe_currency};

/// Stripe's API, unless `payments.stripe.api_base` says otherwise.
pub const API_BASE: &str = "https://api.stripe.com/";

/// What souk needs to call Stripe.
pub struct StripeSettings {
    /// `sk_live_…` or `sk_test_…`; never logged.
    pub secret_key: SecretString,
    /// `pk_…`, handed to buyers' clients for Stripe.js.
    pub publishable_key: String,
    /// Stripe's API (tests point it at a local server).
    pub api_base: String,
    /// Per attempt; a request that times out is answered `unavailable`.
    pub timeout: Duration,
    /// The webhook endpoint's signing secrets: any one verifies a delivery.
    pub webhook_secrets: Vec<SecretString>,
    /// What each paid membership tier subscribes to.
    pub plans: Plans,
}

/// How far a webhook's signed timestamp may be from now (Stripe's
/// libraries use the same five minutes).
pub const WEBHOOK_TOLERANCE_SECS: i64 = 300;

pub struct StripePayments {
    client: Client,
    publishable_key: String,
    webhook_secrets: Vec<SecretString>,
    plans: Plans,
}

impl StripePayments {
    pub fn new(settings: &StripeSettings) -> Result<Self, PaymentError> {
        let mut base = settings.api_base.clone();
        if !base.ends_with('/') {
            base.push('/');
        }
        let client = ClientBuilder::new(settings.secret_key.expose_secret())
            .url(base)
            .timeout(settings.timeout)
            .build()
            .map_err(|e| PaymentError::Refused(format!("the Stripe client: {e}")))?;
        Ok(Self {
            client,
            publishable_key: settings.publishable_key.clone(),
            webhook_secrets: settings.webhook_secrets.clone(),
            plans: settings.plans.clone(),
        })
    }

    fn client(&self) -> &Client {
        &self.client
    }
}

/// Sends a request once under `key`: Stripe answers a request sent again
/// with the same key (within a day) as it answered the first, so a retried
/// call never charges, refunds or creates twice. A key past Stripe's 255
/// characters (it names a long payment method) goes as its SHA-256, which
/// is as unique and as repeatable.
fn once(key: &str) -> Result<RequestStrategy, PaymentError> {
    let key = if key.len() > 255 {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(key.as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        format!("souk-{hex}")
    } else {
        key.to_owned()
    };
    let key = IdempotencyKey::new(key).map_err(|e| PaymentError::Refused(e.to_string()))?;
    Ok(RequestStrategy::Idempotent(key))
}

#[async_trait]
impl PaymentProvider for StripePayments {
    fn name(&self) -> &'static str {
        "stripe"
    }

    fn publishable_key(&self) -> Option<String> {
        Some(self.publishable_key.clone())
    }

    async fn create(&self, order: OrderId, amount: Money) -> Result<PaymentIntent, PaymentError> {
        let currency = stripe_currency(amount)?;
        let request = CreatePaymentIntent::new(amount.amount(), currency)
            .metadata([("order_id".to_owned(), order.to_string())]);
        let strategy = once(&format!("souk-order-{order}"))?;
        let intent = request
            .customize()
            .request_strategy(strategy)
            .send(self.client())
            .await
            .map_err(failure)?;
        let client_secret = intent.client_secret.clone().ok_or_else(|| {
            PaymentError::Refused(format!("payment intent {} has no client secret", intent.id))
        })?;
        Ok(PaymentIntent {
            provider_ref: intent.id.to_string(),
            client_secret,
        })
    }

    async fn confirm(
        &self,
        provider_ref: &str,
        method: &str,
    ) -> Result<PaymentOutcome, PaymentError> {
        let request = ConfirmPaymentIntent::new(provider_ref).payment_method(method);
        let strategy = once(&format!("souk-confirm-{provider_ref}-{method}"))?;
        let sent = request.customize().request_strategy(strategy);
        match sent.send(self.client()).await {
            Ok(intent) => Ok(answers::outcome(&intent)),
            Err(e) => declined(e),
        }
    }

    async fn retrieve(&self, provider_ref: &str) -> Result<IntentState, PaymentError> {
        let intent = RetrievePaymentIntent::new(provider_ref)
            .send(self.client())
            .await
            .map_err(failure)?;
        intent_state(&intent)
    }

    async fn cancel(&self, provider_ref: &str) -> Result<IntentState, PaymentError> {
        let strategy = once(&format!("souk-cancel-{provider_ref}"))?;
        let sent = CancelPaymentIntent::new(provider_ref)
            .customize()
            .request_strategy(strategy);
        match sent.send(self.client()).await.map_err(failure) {
            Ok(intent) => intent_state(&intent),
            // Succeeded or cancelled already: say where it stands.
            Err(PaymentError::Refused(_)) => self.retrieve(provider_ref).await,
            Err(e) => Err(e),
        }
    }

    async fn refund(&self, provider_ref: &str) -> Result<(), PaymentError> {
        let strategy = once(&format!("souk-refund-{provider_ref}"))?;
        let sent = CreateRefund::new()
            .payment_intent(provider_ref)
            .customize()
            .request_strategy(strategy);
        sent.send(self.client()).await.map_err(failure).map(|_| ())
    }

    async fn refund_part(
        &self,
        provider_ref: &str,
        amount: Money,
        key: &str,
    ) -> Result<(), PaymentError> {
        let strategy = once(&format!("souk-refund-{provider_ref}-{key}"))?;
        let sent = CreateRefund::new()
            .payment_intent(provider_ref)
            .amount(amount.amount())
            .customize()
            .request_strategy(strategy);
        sent.send(self.client()).await.map_err(failure).map(|_| ())
    }

    fn sells_memberships(&self) -> bool {
        self.plans.complete()
    }

    async fn subscribe(
        &self,
        user: UserId,
        tier: Tier,
        method: &str,
    ) -> Result<Subscription, PaymentError> {
        self.start_subscription(user, tier, method).await
    }

    async fn subscription(&self, provider_ref: &str) -> Result<Subscription, PaymentError> {
        self.subscription_now(provider_ref).await
    }

    async fn end_subscription(&self, provider_ref: &str) -> Result<Subscription, PaymentError> {
        self.end_at_period_end(provider_ref).await
    }

    fn webhook(&self, signature: &str, body: &[u8]) -> Result<ProviderEvent, WebhookError> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        webhook::verify(
            signature,
            body,
            &self.webhook_secrets,
            now,
            WEBHOOK_TOLERANCE_SECS,
        )?;
        webhook::read(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_past_stripes_limit_is_sent_as_its_digest_the_same_each_time() {
        let long = format!("souk-confirm-pi_1-{}", "m".repeat(255));
        let (Ok(RequestStrategy::Idempotent(a)), Ok(RequestStrategy::Idempotent(b))) =
            (once(&long), once(&long))
        else {
            panic!("a long key is sent idempotently");
        };
        assert_eq!(a.as_str(), b.as_str());
        assert_eq!(a.as_str().len(), 69);
        assert!(
            matches!(once("short"), Ok(RequestStrategy::Idempotent(k)) if k.as_str() == "short")
        );
    }
}
