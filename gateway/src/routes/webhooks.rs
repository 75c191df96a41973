//! The payment provider's webhooks, the source of truth for payments: each
//! delivery's signature is checked against the raw body, and the event it
//! carries is applied to its order once (an order records the event ids it
//! applied, so a duplicate, late or out-of-order delivery changes nothing
//! twice).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::Serialize;
use souk_actors::OrderError;
use souk_actors::payments::{PaymentError, PaymentUpdate, ProviderEvent, WebhookError};
use souk_models::TimelineKind;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, Problem};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(stripe))
}

/// What became of a delivery that was accepted.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Received {
    /// The provider's event id.
    event: String,
    /// `applied` (or applied before: nothing changed twice), `ignored` (an
    /// event type souk does not act on), or `unmatched` (no order of this
    /// marketplace has that payment).
    outcome: &'static str,
}

/// Stripe's webhook endpoint. Configure it in Stripe for at least
/// `payment_intent.succeeded`, `payment_intent.payment_failed` and
/// `charge.refunded`, with its signing secret in
/// `payments.stripe.webhook_secret`.
#[utoipa::path(post, path = "/webhooks/stripe", tag = "payments",
    params(("Stripe-Signature" = Option<String>, Header, description = "t=<unix time>,v1=<HMAC-SHA256 hex>[,v1=…]; a delivery without it is `400 bad_signature`")),
    request_body(content = serde_json::Value, description = "a Stripe event, exactly as Stripe sent it"),
    responses((status = 200, body = Received),
        (status = 400, body = Problem, description = "`bad_signature`, `stale_signature` or `malformed_event`: nothing was applied"),
        (status = 404, body = Problem, description = "`not_found`: payments.provider is not stripe"),
        (status = 503, body = Problem, description = "`unavailable`: not applied now; Stripe delivers it again")))]
async fn stripe(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Received>, ApiError> {
    if state.payments.name() != "stripe" {
        return Err(ApiError::not_found("webhook endpoint"));
    }
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let event = state.payments.webhook(signature, &body).map_err(|e| {
        counted("unverified", refusal_name(&e));
        refused(e)
    })?;
    let outcome = apply(&state, &event).await.inspect_err(|_| {
        counted(&event.kind, "unavailable");
    })?;
    counted(&event.kind, outcome);
    Ok(Json(Received {
        event: event.id,
        outcome,
    }))
}

/// Applies `event` to its order; which outcome it came to.
async fn apply(state: &AppState, event: &ProviderEvent) -> Result<&'static str, ApiError> {
    let Some(update) = &event.update else {
        return Ok("ignored");
    };
    if let PaymentUpdate::Subscription { provider_ref } = update {
        return super::memberships::from_provider(state, provider_ref).await;
    }
    let Some(order) = update.order() else {
        tracing::warn!(event = %event.id, kind = %event.kind, "a payment event names no order of this marketplace");
        return Ok("unmatched");
    };
    let started = time::OffsetDateTime::now_utc();
    let applied = state
        .orders
        .provider_event(order, event.id.clone(), update.clone())
        .await;
    match applied {
        Ok(order) => {
            if paid_now(&order, &event.id, started) {
                latency(event);
            }
            Ok("applied")
        }
        Err(OrderError::NotFound | OrderError::Payment(PaymentError::UnknownPayment(_))) => {
            tracing::warn!(event = %event.id, %order, "a payment event for an order or payment souk does not have");
            Ok("unmatched")
        }
        Err(e) => Err(e.into()),
    }
}

/// Whether `order` was paid by event `id` just now (not by an earlier
/// delivery of it).
fn paid_now(order: &souk_models::Order, id: &str, since: time::OffsetDateTime) -> bool {
    order.timeline.last().is_some_and(|entry| {
        entry.at >= since
            && matches!(&entry.kind, TimelineKind::PaymentSucceeded { event: Some(e) } if e == id)
    })
}

/// From the provider's event to the order paid.
fn latency(event: &ProviderEvent) {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    if let Some(created) = event.created {
        let seconds = (now - created).max(0) as f64;
        metrics::histogram!("souk_payment_webhook_to_paid_seconds").record(seconds);
    }
}

fn counted(kind: &str, result: &'static str) {
    metrics::counter!("souk_payment_webhooks_total", "type" => kind.to_owned(), "result" => result)
        .increment(1);
}

fn refusal_name(e: &WebhookError) -> &'static str {
    match e {
        WebhookError::MalformedSignature | WebhookError::BadSignature => "bad_signature",
        WebhookError::Stale => "stale_signature",
        WebhookError::MalformedEvent(_) => "malformed_event",
        WebhookError::NotSupported(_) => "not_supported",
    }
}

fn refused(e: WebhookError) -> ApiError {
    let code = refusal_name(&e);
    match e {
        WebhookError::NotSupported(_) => ApiError::not_found("webhook endpoint"),
        other => ApiError::bad_request(code, other.to_string()),
    }
}
