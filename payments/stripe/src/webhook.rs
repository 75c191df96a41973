//! Stripe's webhooks: the `Stripe-Signature` check (HMAC-SHA256 of
//! `"{t}.{body}"` with the endpoint's secret, any `v1` of the header
//! matching any configured secret, `t` within the tolerance of now), and the
//! event read for what souk acts on. The event is read by hand, field by
//! field, so an API version that adds fields changes nothing here.

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use sha2::Sha256;
use souk_actors::payments::{PaymentUpdate, ProviderEvent, WebhookError};
use souk_models::{Currency, Money, OrderId};

/// Checks `header` against `body` with each of `secrets`, `now` and
/// `tolerance_secs` in Unix seconds.
pub fn verify(
    header: &str,
    body: &[u8],
    secrets: &[SecretString],
    now: i64,
    tolerance_secs: i64,
) -> Result<(), WebhookError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        let (key, value) = part
            .trim()
            .split_once('=')
            .ok_or(WebhookError::MalformedSignature)?;
        match key {
            "t" => timestamp = value.parse::<i64>().ok(),
            "v1" => signatures.extend(unhex(value)),
            _ => {} // v0 (test mode's legacy scheme) and future schemes.
        }
    }
    let timestamp = timestamp.ok_or(WebhookError::MalformedSignature)?;
    if signatures.is_empty() {
        return Err(WebhookError::MalformedSignature);
    }
    let signed = |secret: &SecretString| {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes()).ok()?;
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        Some(mac)
    };
    let matches = secrets.iter().filter_map(signed).any(|mac| {
        signatures
            .iter()
            .any(|signature| mac.clone().verify_slice(signature).is_ok())
    });
    if !matches {
        return Err(WebhookError::BadSignature);
    }
    if (now - timestamp).abs() > tolerance_secs {
        return Err(WebhookError::Stale);
    }
    Ok(())
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[derive(Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    created: Option<i64>,
    data: EventData,
}

#[derive(Deserialize)]
struct EventData {
    object: Object,
}

/// The fields souk reads of a payment intent, a charge or a refund.
#[derive(Deserialize)]
struct Object {
    id: String,
    #[serde(default)]
    amount: i64,
    #[serde(default)]
    amount_received: Option<i64>,
    #[serde(default)]
    amount_refunded: Option<i64>,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    metadata: std::collections::HashMap<String, String>,
    #[serde(default)]
    payment_intent: Option<String>,
    #[serde(default)]
    last_payment_error: Option<PaymentError>,
    /// An invoice's subscription: its id, or (API versions from 2025-03)
    /// under `parent.subscription_details`.
    #[serde(default)]
    subscription: Option<serde_json::Value>,
    #[serde(default)]
    parent: Option<serde_json::Value>,
}

impl Object {
    /// The subscription an invoice bills, if it bills one.
    fn billed_subscription(&self) -> Option<String> {
        let nested = self
            .parent
            .as_ref()
            .and_then(|p| p.pointer("/subscription_details/subscription"));
        [self.subscription.as_ref(), nested]
            .into_iter()
            .flatten()
            .find_map(|s| s.as_str().or_else(|| s.get("id")?.as_str()))
            .map(str::to_owned)
    }
}

#[derive(Deserialize)]
struct PaymentError {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    decline_code: Option<String>,
}

/// Reads a verified delivery's event.
pub fn read(body: &[u8]) -> Result<ProviderEvent, WebhookError> {
    let event: Event =
        serde_json::from_slice(body).map_err(|e| WebhookError::MalformedEvent(e.to_string()))?;
    let object = event.data.object;
    let order = object
        .metadata
        .get("order_id")
        .and_then(|id| id.parse::<OrderId>().ok());
    let money = |amount: i64| -> Result<Money, WebhookError> {
        let currency = Currency::parse(&object.currency.to_uppercase())
            .map_err(|e| WebhookError::MalformedEvent(format!("currency: {e}")))?;
        Money::new(amount, currency)
            .map_err(|e| WebhookError::MalformedEvent(format!("amount: {e}")))
    };
    let update = match event.kind.as_str() {
        "payment_intent.succeeded" => Some(PaymentUpdate::Succeeded {
            amount: money(object.amount_received.unwrap_or(object.amount))?,
            provider_ref: object.id.clone(),
            order,
        }),
        "payment_intent.payment_failed" => {
            let error = object.last_payment_error.as_ref();
            let reason = error
                .and_then(|e| e.decline_code.clone().or(e.code.clone()))
                .unwrap_or_else(|| "payment_failed".to_owned());
            Some(PaymentUpdate::Failed {
                provider_ref: object.id.clone(),
                order,
                reason,
            })
        }
        "customer.subscription.created"
        | "customer.subscription.updated"
        | "customer.subscription.deleted" => Some(PaymentUpdate::Subscription {
            provider_ref: object.id.clone(),
        }),
        "invoice.paid" | "invoice.payment_succeeded" | "invoice.payment_failed" => object
            .billed_subscription()
            .map(|provider_ref| PaymentUpdate::Subscription { provider_ref }),
        "charge.refunded" => match &object.payment_intent {
            Some(intent) => Some(PaymentUpdate::Refunded {
                amount: money(object.amount_refunded.unwrap_or(object.amount))?,
                provider_ref: intent.clone(),
                order,
            }),
            None => None,
        },
        _ => None,
    };
    Ok(ProviderEvent {
        id: event.id,
        kind: event.kind,
        created: event.created,
        update,
    })
}

#[cfg(test)]
mod tests;
