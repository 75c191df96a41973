//! The sandbox: a provider that needs no network and no keys, and answers
//! like Stripe's test mode (payment intents with a client secret, test card
//! tokens that succeed or decline). It keeps nothing: a payment's reference
//! carries its order and amount, so it works across restarts, and a payment
//! it confirms is recorded on the order at once, so asking it later where a
//! payment stands is never needed to find one that succeeded.

use souk_models::{Currency, Money, OrderId, Tier, UserId};

use super::sandbox_subscriptions as subscriptions;
use super::{
    IntentState, IntentStatus, PaymentError, PaymentIntent, PaymentOutcome, PaymentProvider,
    Subscription,
};

/// Test tokens, as in Stripe's test mode.
pub const TEST_CARD_OK: &str = "tok_visa";
pub const TEST_CARD_DECLINED: &str = "tok_chargeDeclined";
pub const TEST_CARD_NO_FUNDS: &str = "tok_chargeDeclinedInsufficientFunds";

/// The default provider.
#[derive(Debug, Default)]
pub struct SandboxPayments;

impl SandboxPayments {
    /// The amount a reference carries (`pi_sandbox_<order>_<amount>[_<currency>]`;
    /// references made before the currency was added are in US dollars).
    fn parse(provider_ref: &str) -> Result<Money, PaymentError> {
        let unknown = || PaymentError::UnknownPayment(provider_ref.to_owned());
        let rest = provider_ref
            .strip_prefix("pi_sandbox_")
            .ok_or_else(unknown)?;
        let mut parts = rest.split('_');
        let (Some(order), Some(amount)) = (parts.next(), parts.next()) else {
            return Err(unknown());
        };
        uuid::Uuid::parse_str(order).map_err(|_| unknown())?;
        let amount = amount.parse::<i64>().map_err(|_| unknown())?;
        let currency = match parts.next() {
            Some(code) => Currency::parse(&code.to_uppercase()).map_err(|_| unknown())?,
            None => Currency::USD,
        };
        if parts.next().is_some() {
            return Err(unknown());
        }
        Money::new(amount, currency).map_err(|_| unknown())
    }

    /// What charging `card_token` comes to.
    fn charge(card_token: &str) -> Result<PaymentOutcome, PaymentError> {
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
}

#[async_trait::async_trait]
impl PaymentProvider for SandboxPayments {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    async fn create(&self, order: OrderId, amount: Money) -> Result<PaymentIntent, PaymentError> {
        let provider_ref = format!(
            "pi_sandbox_{}_{}_{}",
            order.as_uuid().simple(),
            amount.amount(),
            amount.currency().code().to_lowercase()
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
        Self::charge(card_token)
    }

    /// Never succeeded as far as the sandbox knows: a payment it confirmed
    /// was recorded on its order then.
    async fn retrieve(&self, provider_ref: &str) -> Result<IntentState, PaymentError> {
        Ok(IntentState {
            status: IntentStatus::AwaitingPayment,
            amount: Self::parse(provider_ref)?,
        })
    }

    async fn cancel(&self, provider_ref: &str) -> Result<IntentState, PaymentError> {
        Ok(IntentState {
            status: IntentStatus::Canceled,
            amount: Self::parse(provider_ref)?,
        })
    }

    async fn refund(&self, provider_ref: &str) -> Result<(), PaymentError> {
        Self::parse(provider_ref).map(|_| ())
    }

    fn sells_memberships(&self) -> bool {
        true
    }

    async fn subscribe(
        &self,
        user: UserId,
        tier: Tier,
        card_token: &str,
    ) -> Result<Subscription, PaymentError> {
        let declined = match Self::charge(card_token)? {
            PaymentOutcome::Declined { reason } => Some(reason),
            PaymentOutcome::Succeeded | PaymentOutcome::Pending => None,
        };
        Ok(subscriptions::start(user, tier, declined))
    }

    async fn subscription(&self, provider_ref: &str) -> Result<Subscription, PaymentError> {
        subscriptions::standing(provider_ref, false)
    }

    async fn end_subscription(&self, provider_ref: &str) -> Result<Subscription, PaymentError> {
        subscriptions::standing(provider_ref, true)
    }

    async fn refund_part(
        &self,
        provider_ref: &str,
        amount: Money,
        _key: &str,
    ) -> Result<(), PaymentError> {
        let paid = Self::parse(provider_ref)?;
        if amount.currency() != paid.currency() || amount.amount() > paid.amount() {
            return Err(PaymentError::Refused(format!(
                "cannot refund {amount:?} of a payment of {paid:?}"
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payments::{TEST_CARD_DECLINED, TEST_CARD_OK};

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
        let state = sandbox.retrieve(&intent.provider_ref).await;
        assert_eq!(state.map(|s| s.amount), Ok(amount), "the amount it carries");
    }
}
