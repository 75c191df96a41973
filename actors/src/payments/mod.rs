//! Payment providers (a port): the sandbox, which behaves like Stripe's test
//! mode and needs nothing, and Stripe (`souk-payments-stripe`), both behind
//! [`PaymentProvider`]. An order's payment is an intent created when the
//! order is placed, for the order's total, once per order however often
//! placing is retried.

mod sandbox;
mod sandbox_subscriptions;
mod webhooks;

pub use sandbox::{SandboxPayments, TEST_CARD_DECLINED, TEST_CARD_NO_FUNDS, TEST_CARD_OK};
pub use webhooks::{PaymentUpdate, ProviderEvent, WebhookError};

use serde::{Deserialize, Serialize};
use souk_models::{MembershipStatus, Money, OrderId, Tier, Timestamp, UserId};

/// A payment created with the provider, to be confirmed by the client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentIntent {
    /// The provider's id of the payment, e.g. `pi_…`.
    pub provider_ref: String,
    /// Handed to the buyer's client to confirm the payment (Stripe.js).
    pub client_secret: String,
}

/// What confirming a payment came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentOutcome {
    Succeeded,
    Declined {
        reason: String,
    },
    /// Neither yet (the card asks the buyer to authenticate, or the
    /// provider is still processing): the provider's webhook tells.
    Pending,
}

/// Where a payment stands with the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntentStatus {
    /// Not paid: no method yet, declined, or waiting for the buyer.
    AwaitingPayment,
    /// The provider is collecting it; it ends succeeded or declined.
    Processing,
    Succeeded,
    Canceled,
}

/// A payment as the provider has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntentState {
    pub status: IntentStatus,
    /// The amount and currency the provider charges (or charged).
    pub amount: Money,
}

/// A subscription as the provider has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// The provider's id of it, e.g. `sub_…`.
    pub provider_ref: String,
    pub status: MembershipStatus,
    pub current_period_end: Timestamp,
    pub cancel_at_period_end: bool,
    /// Why the first payment was declined (nothing was subscribed then).
    pub declined: Option<String>,
    /// The subscriber, as the subscription names them.
    pub user: Option<UserId>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum PaymentError {
    #[error("unknown payment {0}")]
    UnknownPayment(String),
    #[error("`{0}` is not a card token this provider accepts")]
    InvalidToken(String),
    /// The provider refused the request itself (not a decline): a bug or
    /// a misconfiguration, e.g. a wrong key.
    #[error("the payment provider refused the request: {0}")]
    Refused(String),
    #[error("payment provider unavailable: {0}")]
    Unavailable(String),
}

#[async_trait::async_trait]
pub trait PaymentProvider: Send + Sync + 'static {
    /// The provider's name: `sandbox` or `stripe`.
    fn name(&self) -> &'static str;
    /// The key a buyer's client confirms payments with (Stripe.js), if any.
    fn publishable_key(&self) -> Option<String> {
        None
    }
    /// Creates a payment for `amount`; the same `order` always gets the same
    /// payment, so retries never charge twice.
    async fn create(&self, order: OrderId, amount: Money) -> Result<PaymentIntent, PaymentError>;
    /// Confirms a payment on the server with a card token (sandbox) or a
    /// payment method id (Stripe, `pm_…`).
    async fn confirm(
        &self,
        provider_ref: &str,
        method: &str,
    ) -> Result<PaymentOutcome, PaymentError>;
    /// Where the payment stands, asked of the provider.
    async fn retrieve(&self, provider_ref: &str) -> Result<IntentState, PaymentError>;
    /// Cancels a payment not yet made, so it can no longer succeed; answers
    /// where it stands then (a payment that succeeded meanwhile stays so).
    async fn cancel(&self, provider_ref: &str) -> Result<IntentState, PaymentError>;
    /// Refunds a confirmed payment in full (what is left of it after part
    /// refunds). Refunding twice is not an error.
    async fn refund(&self, provider_ref: &str) -> Result<(), PaymentError>;
    /// Refunds `amount` of a confirmed payment; the same `key` refunds once.
    async fn refund_part(
        &self,
        provider_ref: &str,
        amount: Money,
        key: &str,
    ) -> Result<(), PaymentError>;
    /// Whether this provider sells memberships as configured.
    fn sells_memberships(&self) -> bool {
        false
    }
    /// Subscribes `user` to `tier`, the first period paid at once with
    /// `method` (a card token with the sandbox). A declined card comes back
    /// as `declined`, with nothing subscribed. A provider that does not
    /// sell memberships refuses.
    async fn subscribe(
        &self,
        user: UserId,
        tier: Tier,
        method: &str,
    ) -> Result<Subscription, PaymentError> {
        let _ = (user, tier, method);
        Err(no_memberships(self.name()))
    }
    /// Where a subscription stands (its current period, renewed or not).
    async fn subscription(&self, provider_ref: &str) -> Result<Subscription, PaymentError> {
        let _ = provider_ref;
        Err(no_memberships(self.name()))
    }
    /// Cancels a subscription at the end of its current period.
    async fn end_subscription(&self, provider_ref: &str) -> Result<Subscription, PaymentError> {
        let _ = provider_ref;
        Err(no_memberships(self.name()))
    }
    /// Checks a webhook delivery (its signature header and raw body) and
    /// reads the event in it. Providers without webhooks refuse them all.
    fn webhook(&self, signature: &str, body: &[u8]) -> Result<ProviderEvent, WebhookError> {
        let _ = (signature, body);
        Err(WebhookError::NotSupported(self.name()))
    }
}

fn no_memberships(provider: &str) -> PaymentError {
    PaymentError::Refused(format!("memberships through {provider} are not built yet"))
}
