//! Part refunds of a paid order: by amount or by lines, with a reason,
//! through the payment provider, once per `Idempotency-Key`.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::Deserialize;
use souk_actors::PartRefund;
use souk_models::{Money, OrderId, ProductId, Quantity, Role};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, ObjectBuilder, OneOfBuilder, Ref, Schema, Type,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::orders::{OrderView, view};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiPath, idempotency_key};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(refund_part))
}

/// A line to refund: units of one product of the order.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundLine {
    product_id: ProductId,
    quantity: Quantity,
}

/// Exactly one of `amount` and `lines`, and a reason.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    /// How much, in the order's currency.
    amount: Option<Money>,
    /// Or which units: their prices on the order.
    lines: Option<Vec<RefundLine>>,
    /// Shown on the order's timeline.
    reason: String,
}

impl utoipa::PartialSchema for RefundRequest {
    /// One of two closed objects: `amount`, or at least one of `lines`, the
    /// other left out or `null`; each with a reason.
    fn schema() -> RefOr<Schema> {
        let reason = || {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(500))
                .description(Some("shown on the order's timeline"))
        };
        let lines = ArrayBuilder::new()
            .items(Ref::from_schema_name("RefundLine"))
            .min_items(Some(1));
        let choice = |used: &str, schema: RefOr<Schema>, other: &str| {
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .property(used, schema)
                .required(used)
                .property(other, ObjectBuilder::new().schema_type(Type::Null))
                .property("reason", reason())
                .required("reason")
                .additional_properties(Some(AdditionalProperties::FreeForm(false)))
        };
        OneOfBuilder::new()
            .item(choice("amount", Ref::from_schema_name("Money").into(), "lines"))
            .item(choice("lines", lines.into(), "amount"))
            .description(Some(
                "Exactly one of `amount` (in the order's currency) or `lines` (their prices on the order), and a reason.",
            ))
            .into()
    }
}

impl utoipa::ToSchema for RefundRequest {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        use utoipa::PartialSchema;
        schemas.push(("Money".into(), Money::schema()));
        schemas.push(("RefundLine".into(), RefundLine::schema()));
        <RefundLine as utoipa::ToSchema>::schemas(schemas);
    }
}

/// Refunds part of a paid (or shipped, or delivered) order's payment. The
/// order keeps its status; refunding what is left in full is
/// `POST /orders/{id}/refund`.
#[utoipa::path(post, path = "/orders/{id}/refunds", tag = "orders", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "order id"),
        ("Idempotency-Key" = String, Header, min_length = 1, max_length = 128, pattern = "^[!-~]+$",
        description = "the same key refunds once: 1 to 128 visible ASCII characters")),
    request_body = RefundRequest,
    responses((status = 200, body = OrderView, description = "refunded (or refunded before under this key; an amount of 0 changes nothing)"),
        (status = 400, body = Problem, description = "`missing_idempotency_key` or `invalid_idempotency_key`"),
        (status = 403, body = Problem, description = "`forbidden_role`: admins only"),
        (status = 404, body = Problem, description = "`not_found`"),
        (status = 409, body = Problem, description = "`invalid_transition` (not paid) or `refund_exceeds_payment` (more than is left)"),
        (status = 422, body = Problem, description = "`invalid_field`: neither or both of amount and lines, a reason not 1-500 characters; `not_on_order`: a line not on the order, or more units than it has; `wrong_currency`: not the order's currency"),
        (status = 503, body = Problem, description = "`unavailable`: the payment provider did not answer; nothing was refunded")))]
async fn refund_part(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    ApiPath(id): ApiPath<OrderId>,
    ApiJson(req): ApiJson<RefundRequest>,
) -> Result<Json<OrderView>, ApiError> {
    user.require(&[Role::Admin])?;
    let key = idempotency_key(&headers, 128)?;
    let reason = req.reason;
    if !(1..=500).contains(&reason.chars().count()) {
        return Err(invalid("reason must be 1 to 500 characters").with_field("reason"));
    }
    let order = state.orders.get(id, user.caller()).await?;
    let currency = order.total.currency();
    let amount = match (req.amount, req.lines) {
        (Some(amount), None) if amount.currency() != currency => {
            let detail = format!("the order is in {}", currency.code());
            let refused = ApiError::unprocessable("wrong_currency", detail);
            return Err(refused.with_field("amount.currency"));
        }
        (Some(amount), None) => amount,
        (None, Some(lines)) if !lines.is_empty() => priced(&order, &lines)?,
        _ => return Err(invalid("send either amount or at least one line")),
    };
    if amount.amount() == 0 {
        // Nothing to give back: nothing changes.
        return Ok(Json(view(order, user.caller())));
    }
    let refund = PartRefund {
        amount,
        reason,
        key,
    };
    let order = state.orders.refund_part(id, user.caller(), refund).await?;
    Ok(Json(view(order, user.caller())))
}

/// What `lines` cost the buyer on `order` (their share of tax added on top
/// included).
fn priced(order: &souk_models::Order, lines: &[RefundLine]) -> Result<Money, ApiError> {
    let mut sum = Money::zero(order.total.currency());
    for wanted in lines {
        let worth = order
            .units_worth(wanted.product_id, wanted.quantity.get())
            .ok_or_else(|| {
                let detail = "each line must be a product of the order, at most its quantity";
                ApiError::unprocessable("not_on_order", detail).with_field("lines")
            })?;
        sum = Money::new(worth, sum.currency())
            .ok()
            .and_then(|cost| sum.plus(cost))
            .ok_or_else(|| invalid("the lines cost too much").with_field("lines"))?;
    }
    Ok(sum)
}

fn invalid(detail: &str) -> ApiError {
    ApiError::unprocessable("invalid_field", detail)
}
