//! Returns: a buyer asks to send delivered units back, within the
//! marketplace's window; a seller of those lines or an admin approves
//! (refund, and the units back on sale if chosen) or rejects.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use souk_actors::{ReturnDecision, ReturnRequest};
use souk_models::{Order, OrderId, Return, ReturnId, ReturnLine};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiPath, idempotency_key};
use crate::state::AppState;

/// Lines a return may name at most.
const MAX_LINES: usize = 100;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(request_return))
        .routes(routes!(approve_return))
        .routes(routes!(reject_return))
}

fn reason() -> utoipa::openapi::schema::Object {
    souk_models::schema::text(1, 500)
}

/// Which units go back, and why.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnRequestBody {
    /// Products of the order and how many of their units; 1 to 100 lines.
    #[schema(min_items = 1, max_items = 100)]
    lines: Vec<ReturnLine>,
    /// Shown to the seller and on the order's timeline.
    #[schema(schema_with = reason)]
    reason: String,
}

/// Approving refunds the returned units' prices (at most what is left of
/// the payment).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveBody {
    /// Put the units back on sale (false: they are written off).
    restock: bool,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    /// Shown to the buyer.
    #[schema(schema_with = reason)]
    reason: String,
}

/// Asks to send some of a delivered order's units back (its buyer, within
/// `marketplace.return_window_days` of delivery). The sellers of the lines
/// are told live (`return_requested`).
#[utoipa::path(post, path = "/orders/{id}/returns", tag = "orders", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "order id"),
        ("Idempotency-Key" = String, Header, min_length = 1, max_length = 128, pattern = "^[!-~]+$",
        description = "the same key asks once: 1 to 128 visible ASCII characters")),
    request_body = ReturnRequestBody,
    responses((status = 201, body = Return, description = "asked (or asked before under this key)"),
        (status = 400, body = Problem, description = "`missing_idempotency_key` or `invalid_idempotency_key`"),
        (status = 403, body = Problem, description = "`forbidden_role`: not the order's buyer"),
        (status = 404, body = Problem, description = "`not_found`: no such order that the caller may see"),
        (status = 409, body = Problem, description = "`not_returnable` (not delivered) or `return_window_closed`"),
        (status = 422, body = Problem, description = "`invalid_field`: no lines, more than 100, or a reason not 1-500 characters; `not_on_order`: a product not on the order, or more units than are left to return"),
        (status = 503, body = Problem, description = "`unavailable`")))]
async fn request_return(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    ApiPath(id): ApiPath<OrderId>,
    ApiJson(body): ApiJson<ReturnRequestBody>,
) -> Result<(StatusCode, Json<Return>), ApiError> {
    let key = idempotency_key(&headers, 128)?;
    if !(1..=MAX_LINES).contains(&body.lines.len()) {
        return Err(invalid("send 1 to 100 lines").with_field("lines"));
    }
    let reason = checked_reason(body.reason)?;
    let window_days = state.config.return_window_days;
    let request = ReturnRequest {
        lines: body.lines,
        reason,
        key: key.clone(),
        window_days,
    };
    let order = state
        .orders
        .request_return(id, user.caller(), request)
        .await?;
    let asked = order.return_under(&key).and_then(|r| order.find_return(r));
    let asked = asked.ok_or_else(|| ApiError::internal("a return just asked for is missing"))?;
    Ok((StatusCode::CREATED, Json(asked)))
}

/// Approves a return (a seller of every returned line, or an admin): the
/// units' prices go back through the payment provider and, with `restock`,
/// the units go back on sale. An order whose whole payment is back becomes
/// `refunded`.
#[utoipa::path(post, path = "/orders/{id}/returns/{return_id}/approve", tag = "orders",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "order id"),
        ("return_id" = uuid::Uuid, Path, description = "return id")),
    request_body = ApproveBody,
    responses((status = 200, body = Return, description = "approved (or approved before)"),
        (status = 403, body = Problem, description = "`forbidden_role`: not a seller of every returned line, nor an admin"),
        (status = 404, body = Problem, description = "`not_found`: no such order or return"),
        (status = 409, body = Problem, description = "`return_decided`: rejected before; `invalid_transition`: the order is no longer delivered"),
        (status = 503, body = Problem, description = "`unavailable`: the payment provider did not answer; nothing was refunded")))]
async fn approve_return(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((id, return_id)): ApiPath<(OrderId, ReturnId)>,
    ApiJson(body): ApiJson<ApproveBody>,
) -> Result<Json<Return>, ApiError> {
    let decision = ReturnDecision::Approve {
        restock: body.restock,
    };
    decide(&state, &user, id, return_id, decision).await
}

/// Rejects a return (a seller of every returned line, or an admin).
#[utoipa::path(post, path = "/orders/{id}/returns/{return_id}/reject", tag = "orders",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "order id"),
        ("return_id" = uuid::Uuid, Path, description = "return id")),
    request_body = RejectBody,
    responses((status = 200, body = Return, description = "rejected (or rejected before)"),
        (status = 403, body = Problem, description = "`forbidden_role`: not a seller of every returned line, nor an admin"),
        (status = 404, body = Problem, description = "`not_found`: no such order or return"),
        (status = 409, body = Problem, description = "`return_decided`: approved before"),
        (status = 422, body = Problem, description = "`invalid_field`: a reason not 1-500 characters"),
        (status = 503, body = Problem, description = "`unavailable`")))]
async fn reject_return(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath((id, return_id)): ApiPath<(OrderId, ReturnId)>,
    ApiJson(body): ApiJson<RejectBody>,
) -> Result<Json<Return>, ApiError> {
    let reason = checked_reason(body.reason)?;
    decide(
        &state,
        &user,
        id,
        return_id,
        ReturnDecision::Reject { reason },
    )
    .await
}

async fn decide(
    state: &AppState,
    user: &AuthUser,
    id: OrderId,
    return_id: ReturnId,
    decision: ReturnDecision,
) -> Result<Json<Return>, ApiError> {
    let order = state
        .orders
        .decide_return(id, user.caller(), return_id, decision)
        .await?;
    found(&order, return_id).map(Json)
}

fn found(order: &Order, id: ReturnId) -> Result<Return, ApiError> {
    order
        .find_return(id)
        .ok_or_else(|| ApiError::not_found("return"))
}

fn checked_reason(reason: String) -> Result<String, ApiError> {
    souk_models::BoundedText::parse("reason", &reason, 1, 500)
        .map_err(|e| invalid(&e.0).with_field("reason"))
}

fn invalid(detail: &str) -> ApiError {
    ApiError::unprocessable("invalid_field", detail)
}
