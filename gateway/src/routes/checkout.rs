//! Checkout: queue the cart for an order, and follow the ticket.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use souk_actors::CheckoutOutcome;
use souk_models::{OrderId, TicketStatus};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::orders::{OrderView, view};
use super::shipping::{ShippingChoice, resolve_address};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiPath, idempotency_key};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(checkout))
        .routes(routes!(ticket))
}

const POLL_AFTER_MS: u64 = 500;

/// A checkout still waiting; follow it with `GET /checkout/{ticket}`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Queued {
    ticket: Uuid,
    lane: String,
    /// Place in the lane (1 is next); absent while being processed.
    position: Option<usize>,
    poll_after_ms: u64,
}

fn rejection(reason: &str) -> ApiError {
    match reason {
        "out_of_stock" => ApiError::conflict(
            "out_of_stock",
            "part of the cart is sold out; nothing was ordered",
        ),
        "product_unavailable" => ApiError::conflict(
            "product_unavailable",
            "a product in the cart is no longer sold",
        ),
        "empty_cart" => ApiError::unprocessable("empty_cart", "the cart is empty"),
        "total_too_large" => ApiError::unprocessable(
            "total_too_large",
            "the order would cost more than one payment can take",
        ),
        _ => ApiError::unavailable("checkout could not complete; nothing was charged"),
    }
}

/// Checks out the cart. Requires an `Idempotency-Key` header: the same key
/// always gives the same result and never a second order. Answers 201 with the
/// order when it is placed within a short wait, else 202 with the ticket.
#[utoipa::path(post, path = "/checkout", tag = "checkout", security(("bearer" = [])),
    params(("Idempotency-Key" = String, Header, min_length = 1, max_length = 255, pattern = "^[!-~]+$",
        description = "unique per checkout attempt: 1 to 255 visible ASCII characters")),
    request_body = ShippingChoice,
    responses((status = 201, body = OrderView, description = "the order was placed"),
        (status = 202, body = Queued, description = "the checkout waits in its lane; follow the ticket"),
        (status = 400, body = Problem, description = "`missing_idempotency_key` or `invalid_idempotency_key`"),
        (status = 403, body = Problem, description = "`email_unverified`: the account has not verified its email (see `auth.unverified_checkout`)"),
        (status = 409, body = Problem, description = "`out_of_stock` or `product_unavailable`: nothing was ordered"),
        (status = 422, body = Problem, description = "`empty_cart`, `total_too_large`, or `unknown_address` (no saved address with that id)"),
        (status = 503, body = Problem, description = "`lane_full` (with `Retry-After`), or `unavailable`")))]
async fn checkout(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ShippingChoice>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers, 255)?;
    user.require_verified(&state.config.auth)?;
    let address = resolve_address(&state, user.0.id, req).await?;
    // The lane is the tier the shopper has now (a membership in force).
    let mut shopper = super::memberships::current(&state, user.0.clone()).await?;
    shopper.tier = shopper.tier_at(time::OffsetDateTime::now_utc());
    match state.checkout.submit(&shopper, &key, address).await? {
        CheckoutOutcome::Completed { order_id, .. } => created(&state, &user, order_id).await,
        CheckoutOutcome::Rejected { reason, .. } => Err(rejection(&reason)),
        CheckoutOutcome::Pending {
            ticket,
            lane,
            position,
        } => {
            let queued = Queued {
                ticket,
                lane,
                position,
                poll_after_ms: POLL_AFTER_MS,
            };
            Ok((StatusCode::ACCEPTED, Json(queued)).into_response())
        }
    }
}

async fn created(
    state: &AppState,
    user: &AuthUser,
    order_id: OrderId,
) -> Result<Response, ApiError> {
    let order = state.orders.get(order_id, user.caller()).await?;
    let order = view(order, user.caller()).with_provider(&*state.payments);
    Ok((StatusCode::CREATED, Json(order)).into_response())
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TicketState {
    Queued,
    Processing,
    Completed,
    Rejected,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TicketView {
    ticket: Uuid,
    state: TicketState,
    lane: String,
    position: Option<usize>,
    order_id: Option<OrderId>,
    reason: Option<String>,
}

/// Where a checkout stands. Only its owner may read it.
#[utoipa::path(get, path = "/checkout/{ticket}", tag = "checkout", security(("bearer" = [])),
    params(("ticket" = Uuid, Path, description = "the ticket of a 202 answer")),
    responses((status = 200, body = TicketView),
        (status = 404, body = Problem, description = "`not_found`: no such ticket of the caller's")))]
async fn ticket(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<TicketView>, ApiError> {
    let (ticket, position) = state.checkout.status(id, user.caller()).await?;
    let (state_name, order_id, reason) = match &ticket.status {
        TicketStatus::Queued if position.is_some() => (TicketState::Queued, None, None),
        TicketStatus::Queued => (TicketState::Processing, None, None),
        TicketStatus::Completed { order_id } => (TicketState::Completed, Some(*order_id), None),
        TicketStatus::Rejected { reason } => (TicketState::Rejected, None, Some(reason.clone())),
    };
    Ok(Json(TicketView {
        ticket: ticket.id,
        state: state_name,
        lane: ticket.lane.clone(),
        position: position.map(|(_, p)| p),
        order_id,
        reason,
    }))
}
