//! Stripe's answers in souk's terms: a payment intent's status, its amount,
//! and errors (a card decline is an outcome, not a failure).

use souk_actors::payments::{IntentState, IntentStatus, PaymentError, PaymentOutcome};
use souk_models::{Currency, Money};
use stripe::{ApiErrorsType, StripeError};
use stripe_shared::{PaymentIntent, PaymentIntentStatus};
use stripe_types::Currency as StripeCurrency;

/// Stripe's lower-case code for the amount's currency.
pub(crate) fn stripe_currency(amount: Money) -> Result<StripeCurrency, PaymentError> {
    match amount
        .currency()
        .code()
        .to_lowercase()
        .parse::<StripeCurrency>()
    {
        Ok(StripeCurrency::Unknown(_)) | Err(_) => Err(PaymentError::Refused(format!(
            "Stripe does not take payments in {}",
            amount.currency().code()
        ))),
        Ok(currency) => Ok(currency),
    }
}

/// What confirming came to, by the intent's status after it.
pub(crate) fn outcome(intent: &PaymentIntent) -> PaymentOutcome {
    match &intent.status {
        PaymentIntentStatus::Succeeded => PaymentOutcome::Succeeded,
        PaymentIntentStatus::RequiresPaymentMethod | PaymentIntentStatus::Canceled => {
            let reason = intent
                .last_payment_error
                .as_deref()
                .and_then(|e| {
                    e.decline_code
                        .clone()
                        .or(e.code.as_ref().map(|c| c.as_str().to_owned()))
                })
                .unwrap_or_else(|| intent.status.as_str().to_owned());
            PaymentOutcome::Declined { reason }
        }
        _ => PaymentOutcome::Pending,
    }
}

/// A confirmation Stripe refused: a card error (`402`, Stripe's "request
/// failed") is a decline (the order stays payable); a payment method Stripe
/// does not know is the client's mistake; anything else a failure.
pub(crate) fn declined(e: StripeError) -> Result<PaymentOutcome, PaymentError> {
    if let StripeError::Stripe(api, status) = &e {
        if api.type_ == ApiErrorsType::CardError || *status == 402 {
            let reason = api
                .decline_code
                .clone()
                .or(api.code.as_ref().map(|c| c.as_str().to_owned()))
                .unwrap_or_else(|| "card_declined".to_owned());
            return Ok(PaymentOutcome::Declined { reason });
        }
        if api.param.as_deref() == Some("payment_method") {
            let method = api.message.clone().unwrap_or_default();
            return Err(PaymentError::InvalidToken(method));
        }
    }
    Err(failure(e))
}

/// A request that failed: Stripe unreachable, slow or failing on its side
/// is `Unavailable` (worth trying again); a request Stripe refused is not.
pub(crate) fn failure(e: StripeError) -> PaymentError {
    match e {
        StripeError::Stripe(api, status) if status == 429 || status >= 500 => {
            PaymentError::Unavailable(format!("Stripe answered {status}: {}", message(&api)))
        }
        StripeError::Stripe(api, status) => {
            PaymentError::Refused(format!("Stripe answered {status}: {}", message(&api)))
        }
        StripeError::ClientError(why) => PaymentError::Unavailable(why),
        StripeError::Timeout => PaymentError::Unavailable("Stripe did not answer in time".into()),
        StripeError::JSONDeserialize(why) => {
            PaymentError::Refused(format!("an answer from Stripe souk cannot read: {why}"))
        }
        StripeError::ConfigError(why) => PaymentError::Refused(why),
    }
}

fn message(api: &stripe::ApiErrors) -> String {
    api.message
        .clone()
        .unwrap_or_else(|| api.type_.as_str().to_owned())
}

/// Where an intent stands, and its amount.
pub(crate) fn intent_state(intent: &PaymentIntent) -> Result<IntentState, PaymentError> {
    let status = match intent.status {
        PaymentIntentStatus::Succeeded => IntentStatus::Succeeded,
        PaymentIntentStatus::Canceled => IntentStatus::Canceled,
        PaymentIntentStatus::Processing | PaymentIntentStatus::RequiresCapture => {
            IntentStatus::Processing
        }
        _ => IntentStatus::AwaitingPayment,
    };
    let code = intent.currency.to_string().to_uppercase();
    let unreadable = || {
        PaymentError::Refused(format!(
            "payment intent {} is for {} {code}",
            intent.id, intent.amount
        ))
    };
    let currency = Currency::parse(&code).map_err(|_| unreadable())?;
    let amount = Money::new(intent.amount, currency).map_err(|_| unreadable())?;
    Ok(IntentState { status, amount })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currencies_go_to_stripe_in_lower_case() {
        let usd = Money::new(100, Currency::USD).expect("a valid amount");
        assert_eq!(
            stripe_currency(usd).map(|c| c.to_string()),
            Ok("usd".into())
        );
    }
}
