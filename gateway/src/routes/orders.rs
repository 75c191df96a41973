//! Orders: the buyer's list and detail, payment, cancellation, address changes;
//! shipping and delivery by the sellers of the order's lines; refunds by admins.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use souk_models::{Caller, Order, OrderId, OrderStatus, Role, Shipment};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use super::order_view::{OrderView, view};
use super::shipping::{ShippingChoice, resolve_address};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use crate::views::Page;

/// Orders of other buyers are not found, so their existence does not leak.
const NOT_YOURS: &str = "`not_found`: no such order that the caller may see";
const BUYER_ONLY: &str =
    "`forbidden_role`: the caller sees the order (as a seller of its lines) but is not its buyer";
const SELLER_ONLY: &str = "`forbidden_role`: the caller is the buyer, not a seller of its lines";
const TRANSITION: &str = "`invalid_transition`: the order's status does not allow it";

fn carrier() -> utoipa::openapi::schema::Object {
    souk_models::schema::text(1, 80)
}

fn tracking_number() -> utoipa::openapi::schema::Object {
    souk_models::schema::text(1, 100)
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_orders))
        .routes(routes!(get_order))
        .routes(routes!(pay))
        .routes(routes!(cancel))
        .routes(routes!(change_address))
        .routes(routes!(ship))
        .routes(routes!(deliver))
        .routes(routes!(refund))
        .routes(routes!(seller_orders))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OrderListParams {
    #[param(minimum = 1, maximum = 100, default = 20)]
    limit: Option<u32>,
    /// `next_cursor` from the previous page; any other value is a 400
    /// `invalid_parameter`.
    #[param(min_length = 1, pattern = "^[A-Za-z0-9_-]+$")]
    cursor: Option<String>,
}

impl OrderListParams {
    fn parse(self) -> Result<(usize, Option<OrderId>), ApiError> {
        let limit = self.limit.unwrap_or(20);
        if !(1..=100).contains(&limit) {
            return Err(ApiError::invalid_parameter(
                "limit",
                "limit must be between 1 and 100",
            ));
        }
        Ok((limit as usize, order_cursor(self.cursor)?))
    }
}

/// The order a page's `cursor` resumes after.
pub(super) fn order_cursor(cursor: Option<String>) -> Result<Option<OrderId>, ApiError> {
    cursor
        .map(|c| super::cursor::decode(&c).map(OrderId))
        .transpose()
}

/// The cursor of a page that ends at `last`.
pub(super) fn cursor_after(last: OrderId) -> String {
    super::cursor::encode(last.0)
}

fn page(mut orders: Vec<Order>, limit: usize, caller: Caller) -> Page<OrderView> {
    let next_cursor = if orders.len() > limit {
        orders.truncate(limit);
        orders.last().map(|o| cursor_after(o.id))
    } else {
        None
    };
    Page {
        items: orders.into_iter().map(|o| view(o, caller)).collect(),
        next_cursor,
    }
}

/// The caller's orders, newest first.
#[utoipa::path(get, path = "/orders", tag = "orders", security(("bearer" = [])), params(OrderListParams),
    responses((status = 200, body = Page<OrderView>)))]
async fn list_orders(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(params): ApiQuery<OrderListParams>,
) -> Result<Json<Page<OrderView>>, ApiError> {
    let (limit, before) = params.parse()?;
    let orders = state.orders.for_buyer(user.0.id, before, limit + 1).await?;
    Ok(Json(page(orders, limit, user.caller())))
}

/// Orders with the caller's products, newest first, showing only their lines.
#[utoipa::path(get, path = "/seller/orders", tag = "seller", security(("bearer" = [])), params(OrderListParams),
    responses((status = 200, body = Page<OrderView>),
        (status = 403, body = Problem, description = "`forbidden_role`: not a seller or admin")))]
async fn seller_orders(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(params): ApiQuery<OrderListParams>,
) -> Result<Json<Page<OrderView>>, ApiError> {
    user.require(&[Role::Seller, Role::Admin])?;
    let (limit, before) = params.parse()?;
    let orders = state
        .orders
        .for_seller(user.0.id, before, limit + 1)
        .await?;
    Ok(Json(page(
        orders,
        limit,
        Caller {
            role: Role::Seller,
            ..user.caller()
        },
    )))
}

/// One order with its timeline.
#[utoipa::path(get, path = "/orders/{id}", tag = "orders", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "order id")), responses((status = 200, body = OrderView),
        (status = 404, body = Problem, description = NOT_YOURS)))]
async fn get_order(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<OrderId>,
) -> Result<Json<OrderView>, ApiError> {
    let order = state.orders.get(id, user.caller()).await?;
    Ok(Json(
        view(order, user.caller()).with_provider(&*state.payments),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayRequest {
    /// A card token (the sandbox accepts `tok_visa` and declines
    /// `tok_chargeDeclined` and `tok_chargeDeclinedInsufficientFunds`), or
    /// with Stripe a payment method id (`pm_…`).
    #[schema(example = "tok_visa")]
    #[schema(min_length = 1, max_length = 255)]
    card_token: String,
}

/// Confirms the order's payment on the server. Paying a paid order again
/// changes nothing.
#[utoipa::path(post, path = "/orders/{id}/pay", tag = "orders", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "order id")), request_body = PayRequest,
    responses((status = 200, body = OrderView, description = "paid"),
        (status = 202, body = OrderView, description = "not paid yet: the provider is processing the payment or the buyer must authenticate it (Stripe.js with the order's `client_secret`); the order's live events tell when it is paid"),
        (status = 402, body = Problem, description = "`payment_declined`: the order is still payable"),
        (status = 403, body = Problem, description = BUYER_ONLY),
        (status = 404, body = Problem, description = NOT_YOURS),
        (status = 409, body = Problem, description = TRANSITION),
        (status = 422, body = Problem, description = "`invalid_card_token`: the provider does not know the token"),
        (status = 503, body = Problem, description = "`unavailable`: the payment provider did not answer")))]
async fn pay(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<OrderId>,
    ApiJson(req): ApiJson<PayRequest>,
) -> Result<(StatusCode, Json<OrderView>), ApiError> {
    if req.card_token.is_empty() || req.card_token.len() > 255 {
        return Err(ApiError::unprocessable(
            "invalid_card_token",
            "card_token must be 1-255 characters",
        )
        .with_field("card_token"));
    }
    let order = state.orders.pay(id, user.caller(), req.card_token).await?;
    let status = match order.status() {
        OrderStatus::PendingPayment => StatusCode::ACCEPTED,
        _ => StatusCode::OK,
    };
    let order = view(order, user.caller()).with_provider(&*state.payments);
    Ok((status, Json(order)))
}

/// Cancels an order before it ships; a paid order is refunded.
#[utoipa::path(post, path = "/orders/{id}/cancel", tag = "orders", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "order id")),
    responses((status = 200, body = OrderView), (status = 403, body = Problem, description = BUYER_ONLY),
        (status = 404, body = Problem, description = NOT_YOURS),
        (status = 409, body = Problem, description = TRANSITION)))]
async fn cancel(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<OrderId>,
) -> Result<Json<OrderView>, ApiError> {
    let order = state.orders.cancel(id, user.caller()).await?;
    Ok(Json(view(order, user.caller())))
}

/// Changes where an order ships, until it has shipped.
#[utoipa::path(patch, path = "/orders/{id}/address", tag = "orders", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "order id")), request_body = ShippingChoice,
    responses((status = 200, body = OrderView), (status = 403, body = Problem, description = BUYER_ONLY),
        (status = 404, body = Problem, description = NOT_YOURS),
        (status = 409, body = Problem, description = "`address_locked`: the order has shipped"),
        (status = 422, body = Problem, description = "`unknown_address`: no saved address with that id")))]
async fn change_address(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<OrderId>,
    ApiJson(req): ApiJson<ShippingChoice>,
) -> Result<Json<OrderView>, ApiError> {
    let address = resolve_address(&state, user.0.id, req).await?;
    let order = state
        .orders
        .change_address(id, user.caller(), address)
        .await?;
    Ok(Json(view(order, user.caller())))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShipRequest {
    #[schema(schema_with = carrier)]
    carrier: String,
    #[schema(schema_with = tracking_number)]
    tracking_number: String,
    /// `YYYY-MM-DD`.
    #[schema(format = Date, example = "2026-12-01")]
    estimated_delivery: String,
}

/// Marks a paid order shipped (a seller of its lines, or an admin).
#[utoipa::path(post, path = "/orders/{id}/ship", tag = "orders", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "order id")), request_body = ShipRequest,
    responses((status = 200, body = OrderView), (status = 403, body = Problem, description = SELLER_ONLY),
        (status = 404, body = Problem, description = NOT_YOURS),
        (status = 409, body = Problem, description = TRANSITION)))]
async fn ship(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<OrderId>,
    ApiJson(req): ApiJson<ShipRequest>,
) -> Result<Json<OrderView>, ApiError> {
    let field = |name: &'static str| {
        move |e: souk_models::ParseError| {
            ApiError::unprocessable("invalid_field", e.0).with_field(name)
        }
    };
    let shipment = Shipment {
        carrier: souk_models::BoundedText::parse("carrier", &req.carrier, 1, 80)
            .map_err(field("carrier"))?,
        tracking_number: souk_models::BoundedText::parse(
            "tracking_number",
            &req.tracking_number,
            1,
            100,
        )
        .map_err(field("tracking_number"))?,
        estimated_delivery: time::Date::parse(
            &req.estimated_delivery,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .map_err(|_| {
            ApiError::unprocessable(
                "invalid_field",
                "estimated_delivery must be a date like 2026-12-01",
            )
            .with_field("estimated_delivery")
        })?,
    };
    let order = state.orders.ship(id, user.caller(), shipment).await?;
    Ok(Json(view(order, user.caller())))
}

/// Marks a shipped order delivered (a seller of its lines, or an admin).
#[utoipa::path(post, path = "/orders/{id}/deliver", tag = "orders", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "order id")),
    responses((status = 200, body = OrderView), (status = 403, body = Problem, description = SELLER_ONLY),
        (status = 404, body = Problem, description = NOT_YOURS),
        (status = 409, body = Problem, description = TRANSITION)))]
async fn deliver(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<OrderId>,
) -> Result<Json<OrderView>, ApiError> {
    let order = state.orders.deliver(id, user.caller()).await?;
    Ok(Json(view(order, user.caller())))
}

/// Refunds a paid order in full (admins).
#[utoipa::path(post, path = "/orders/{id}/refund", tag = "orders", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "order id")),
    responses((status = 200, body = OrderView),
        (status = 403, body = Problem, description = "`forbidden_role`: not an admin"),
        (status = 404, body = Problem, description = "`not_found`"),
        (status = 409, body = Problem, description = TRANSITION),
        (status = 503, body = Problem, description = "`unavailable`: the payment provider did not answer")))]
async fn refund(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<OrderId>,
) -> Result<Json<OrderView>, ApiError> {
    user.require(&[Role::Admin])?;
    let order = state.orders.refund(id, user.caller()).await?;
    Ok(Json(view(order, user.caller())))
}
