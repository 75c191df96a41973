//! Payment providers. The sandbox behaves like Stripe's test mode (payment
//! intents with a client secret, test card tokens that succeed or decline) and
//! is the only provider so far; a Stripe provider is planned, behind the same
//! trait.

use serde::{Deserialize, Serialize};
use souk_models::{Money, OrderId};

/// A payment created with the provider, to be confirmed by the client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentIntent {
    /// The provider's id of the payment, e.g. `pi_…`.
    pub provider_ref: String,
    /// Handed to the buyer's client to confirm the payment.
    pub client_secret: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentOutcome {
    Succeeded,
    Declined { reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum PaymentError {
    #[error("unknown payment {0}")]
    UnknownPayment(String),
    #[error("`{0}` is not a card token this provider accepts")]
    InvalidToken(String),
    #[error("payment provider unavailable: {0}")]
    Unavailable(String),
}

#[async_trait::async_trait]
pub trait PaymentProvider: Send + Sync + 'static {
    /// The provider's name: `sandbox` (the only provider so far).
    fn name(&self) -> &'static str;
    /// Creates a payment for `amount`; the same `order` always gets the same
    /// payment, so retries never charge twice.
    async fn create(&self, order: OrderId, amount: Money) -> Result<PaymentIntent, PaymentError>;
    /// Confirms a payment with a card token.
    async fn confirm(
        &self,
        provider_ref: &str,
        card_token: &str,
    ) -> Result<PaymentOutcome, PaymentError>;
    /// Refunds a confirmed payment in full. Refunding twice is not an error.
    async fn refund(&self, provider_ref: &str) -> Result<(), PaymentError>;
}

/// Test tokens, as in Stripe's test mode.
pub const TEST_CARD_OK: &str = "tok_visa";
pub const TEST_CARD_DECLINED: &str = "tok_chargeDeclined";
pub const TEST_CARD_NO_FUNDS: &str = "tok_chargeDeclinedInsufficientFunds";

/// The default provider: no network, no keys. Stateless (a payment's reference
/// carries its order and amount), so it keeps working across restarts.
#[derive(Debug, Default)]
pub struct SandboxPayments;

impl SandboxPayments {
    fn parse(provider_ref: &str) -> Result<(), PaymentError> {
        let ok = provider_ref
            .strip_prefix("pi_sandbox_")
            .and_then(|rest| rest.split_once('_'))
            .is_some_and(|(order, amount)| {
                uuid::Uuid::parse_str(order).is_ok() && amount.parse::<i64>().is_ok()
            });
        if ok {
            Ok(())
        } else {
            Err(PaymentError::UnknownPayment(provider_ref.to_owned()))
        }
    }
}

#[async_trait::async_trait]
impl PaymentProvider for SandboxPayments {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    async fn create(&self, order: OrderId, amount: Money) -> Result<PaymentIntent, PaymentError> {
        let provider_ref = format!(
            "pi_sandbox_{}_{}",
            order.as_uuid().simple(),
            amount.amount()
        );
        Ok(PaymentIntent {
            client_secret: format!("{provider_ref}_secret_{}", uuid::Uuid::new_v4().simple()),
            provider_ref,
        })
    }

    async fn confirm(
        &self,
        provider_ref: &str,
        card_token: &str,
    ) -> Result<PaymentOutcome, PaymentError> {
        Self::parse(provider_ref)?;
        match card_token {
            TEST_CARD_OK | "tok_mastercard" | "tok_amex" => Ok(PaymentOutcome::Succeeded),
            TEST_CARD_DECLINED => Ok(PaymentOutcome::Declined {
                reason: "card_declined".into(),
            }),
            TEST_CARD_NO_FUNDS => Ok(PaymentOutcome::Declined {
                reason: "insufficient_funds".into(),
            }),
            other => Err(PaymentError::InvalidToken(other.to_owned())),
        }
    }

    async fn refund(&self, provider_ref: &str) -> Result<(), PaymentError> {
        Self::parse(provider_ref)
    }
}

#[cfg(test)]
mod tests {
    use souk_models::Currency;

    use super::*;

    #[tokio::test]
    async fn sandbox_behaves_like_test_mode() {
        let sandbox = SandboxPayments;
        let order = OrderId::new();
        let amount = Money::new(1999, Currency::USD).expect("a valid amount");
        let intent = sandbox
            .create(order, amount)
            .await
            .expect("the payment is created");
        let again = sandbox
            .create(order, amount)
            .await
            .expect("a repeated create is answered");
        assert_eq!(
            intent.provider_ref, again.provider_ref,
            "one payment per order"
        );
        assert!(intent.client_secret.starts_with(&intent.provider_ref));
        let pay = |token: &'static str| sandbox.confirm(&intent.provider_ref, token);
        assert_eq!(pay(TEST_CARD_OK).await, Ok(PaymentOutcome::Succeeded));
        assert_eq!(
            pay(TEST_CARD_DECLINED).await,
            Ok(PaymentOutcome::Declined {
                reason: "card_declined".into()
            })
        );
        assert!(matches!(
            pay("4242424242424242").await,
            Err(PaymentError::InvalidToken(_))
        ));
        assert!(matches!(
            sandbox.confirm("pi_other", TEST_CARD_OK).await,
            Err(PaymentError::UnknownPayment(_))
        ));
        assert_eq!(sandbox.refund(&intent.provider_ref).await, Ok(()));
    }
}
