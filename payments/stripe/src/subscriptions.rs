//! Memberships as Stripe subscriptions: a customer for the subscriber
//! (`metadata.user_id`), paid by the payment method given, subscribed to
//! the plan configured for the tier (a recurring Price's or a Plan's id).
//! Subscriptions are sent and read as plain JSON rather than async-stripe's
//! typed objects, whose required fields vary across API versions (and which
//! localstripe, the tests' Stripe, leaves out).

use serde_json::{Value, json};
use souk_actors::payments::{PaymentError, Subscription};
use souk_models::{MembershipStatus, Tier, UserId};
use stripe::StripeError;
use stripe_client_core::{RequestBuilder, RequestStrategy, StripeMethod};
use time::OffsetDateTime;

use super::StripePayments;
use crate::answers::failure;
use crate::once;

/// The plan each paid tier subscribes to; empty: not sold.
#[derive(Debug, Clone, Default)]
pub struct Plans {
    pub plus: String,
    pub premium: String,
}

impl Plans {
    fn of(&self, tier: Tier) -> Option<&str> {
        let plan = match tier {
            Tier::Plus => self.plus.as_str(),
            Tier::Premium => self.premium.as_str(),
            Tier::Standard => "",
        };
        (!plan.trim().is_empty()).then_some(plan)
    }

    /// Whether both paid tiers have a plan.
    pub fn complete(&self) -> bool {
        self.of(Tier::Plus).is_some() && self.of(Tier::Premium).is_some()
    }
}

impl StripePayments {
    pub(crate) async fn start_subscription(
        &self,
        user: UserId,
        tier: Tier,
        method: &str,
    ) -> Result<Subscription, PaymentError> {
        let plan = self.plans.of(tier).ok_or_else(|| {
            PaymentError::Refused(format!("no Stripe plan is configured for {tier:?}"))
        })?;
        // A retried request (the same day) finds what the first one made.
        let day = OffsetDateTime::now_utc().date();
        let customer = json!({
            "metadata": { "user_id": user.to_string() },
            "payment_method": method,
            "invoice_settings": { "default_payment_method": method },
        });
        let key = format!("souk-customer-{user}-{method}-{day}");
        let customer = match self
            .send(StripeMethod::Post, "/customers", &customer, Some(&key))
            .await
        {
            Ok(customer) => customer,
            Err(e) => return declined_or(e),
        };
        let customer = text(&customer, "id")?;
        let subscription = json!({
            "customer": customer,
            "items": [{ "plan": plan }],
            "metadata": { "user_id": user.to_string() },
            "payment_behavior": "error_if_incomplete",
        });
        let key = format!("souk-subscribe-{user}-{customer}");
        let sent = self.send(
            StripeMethod::Post,
            "/subscriptions",
            &subscription,
            Some(&key),
        );
        let started = match sent.await {
            Ok(started) => read(&started)?,
            Err(e) => return declined_or(e),
        };
        if started.status != MembershipStatus::Incomplete {
            return Ok(started);
        }
        // The first payment did not go through at once (declined later, or
        // the card asks the buyer to authenticate): nothing is bought, and
        // the subscription goes so it can never charge.
        let path = format!("/subscriptions/{}", started.provider_ref);
        if let Err(e) = self
            .send(StripeMethod::Delete, &path, &json!({}), None)
            .await
        {
            tracing::warn!(subscription = %started.provider_ref, error = %e, "an unpaid subscription could not be cancelled");
        }
        Ok(Subscription {
            declined: Some("payment_incomplete".to_owned()),
            ..started
        })
    }

    pub(crate) async fn subscription_now(
        &self,
        provider_ref: &str,
    ) -> Result<Subscription, PaymentError> {
        let path = format!("/subscriptions/{provider_ref}");
        match self.send(StripeMethod::Get, &path, &json!({}), None).await {
            Ok(found) => read(&found),
            // Not one of this account's: its events are not souk's to apply.
            Err(StripeError::Stripe(_, 404)) => {
                Err(PaymentError::UnknownPayment(provider_ref.to_owned()))
            }
            Err(e) => Err(failure(e)),
        }
    }

    pub(crate) async fn end_at_period_end(
        &self,
        provider_ref: &str,
    ) -> Result<Subscription, PaymentError> {
        let path = format!("/subscriptions/{provider_ref}");
        let ending = json!({ "cancel_at_period_end": true });
        let key = format!("souk-end-{provider_ref}");
        let ended = self
            .send(StripeMethod::Post, &path, &ending, Some(&key))
            .await;
        read(&ended.map_err(failure)?)
    }

    /// One request with a form body (or a query, for a `GET`), sent once
    /// under `key` when given; the answer as JSON.
    async fn send(
        &self,
        method: StripeMethod,
        path: &str,
        params: &Value,
        key: Option<&str>,
    ) -> Result<Value, StripeError> {
        let builder = RequestBuilder::new(method, path);
        let builder = match method {
            StripeMethod::Get | StripeMethod::Delete => builder,
            _ => builder.form(params),
        };
        let mut request = builder.customize::<miniserde::json::Value>();
        if let Some(key) = key {
            let strategy = once(key).map_err(|e| StripeError::ClientError(e.to_string()))?;
            request = request.request_strategy(strategy);
        } else {
            request = request.request_strategy(RequestStrategy::Once);
        }
        let answer = request.send(self.client()).await?;
        let text = miniserde::json::to_string(&answer);
        serde_json::from_str(&text).map_err(|e| StripeError::JSONDeserialize(e.to_string()))
    }
}

/// A declined card is a subscription not made (`declined`); anything else
/// is the failure it is.
fn declined_or(e: StripeError) -> Result<Subscription, PaymentError> {
    match crate::answers::declined(e) {
        Ok(souk_actors::payments::PaymentOutcome::Declined { reason }) => Ok(Subscription {
            provider_ref: String::new(),
            status: MembershipStatus::Incomplete,
            current_period_end: OffsetDateTime::now_utc(),
            cancel_at_period_end: false,
            declined: Some(reason),
            user: None,
        }),
        Ok(_) => Err(PaymentError::Refused("an unexpected answer".into())),
        Err(e) => Err(e),
    }
}

/// A subscription object as souk reads it.
fn read(sub: &Value) -> Result<Subscription, PaymentError> {
    let status = match sub["status"].as_str().unwrap_or_default() {
        "active" | "trialing" => MembershipStatus::Active,
        "past_due" | "unpaid" => MembershipStatus::PastDue,
        "incomplete" => MembershipStatus::Incomplete,
        _ => MembershipStatus::Ended,
    };
    // On the subscription in older API versions, on its items from 2025-03.
    let period_end = sub["current_period_end"]
        .as_i64()
        .or_else(|| sub.pointer("/items/data/0/current_period_end")?.as_i64())
        .ok_or_else(|| PaymentError::Refused("a subscription without a period".into()))?;
    let current_period_end = OffsetDateTime::from_unix_timestamp(period_end)
        .map_err(|e| PaymentError::Refused(format!("a subscription's period: {e}")))?;
    let user = sub
        .pointer("/metadata/user_id")
        .and_then(Value::as_str)
        .and_then(|u| u.parse::<UserId>().ok());
    Ok(Subscription {
        provider_ref: text(sub, "id")?.to_owned(),
        status,
        current_period_end,
        cancel_at_period_end: sub["cancel_at_period_end"].as_bool().unwrap_or(false),
        declined: None,
        user,
    })
}

fn text<'a>(object: &'a Value, field: &str) -> Result<&'a str, PaymentError> {
    object[field]
        .as_str()
        .ok_or_else(|| PaymentError::Refused(format!("Stripe's answer has no `{field}`")))
}
