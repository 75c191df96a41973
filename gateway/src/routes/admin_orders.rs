//! Admins find orders: by status, buyer, seller, product and creation date,
//! newest first, a page at a time.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use souk_actors::OrderFilter;
use souk_models::{OrderStatus, ProductId, Role, Timestamp, UserId};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::orders::{OrderView, cursor_after, order_cursor, view};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::ApiQuery;
use crate::state::AppState;
use crate::views::Page;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(admin_orders))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AdminOrderParams {
    #[param(inline)]
    status: Option<OrderStatus>,
    /// Orders of this buyer.
    #[param(value_type = Option<uuid::Uuid>)]
    buyer_id: Option<UserId>,
    /// Orders with a line of this seller.
    #[param(value_type = Option<uuid::Uuid>)]
    seller_id: Option<UserId>,
    /// Orders with a line of this product.
    #[param(value_type = Option<uuid::Uuid>)]
    product_id: Option<ProductId>,
    /// Created at or after this (RFC 3339).
    #[param(format = DateTime)]
    from: Option<String>,
    /// Created at or before this (RFC 3339). A `from` after `to` matches
    /// nothing.
    #[param(format = DateTime)]
    to: Option<String>,
    #[param(minimum = 1, maximum = 100, default = 20)]
    limit: Option<u32>,
    /// `next_cursor` from the previous page (with the same filters); any
    /// other value is a 400 `invalid_parameter`.
    #[param(min_length = 1, pattern = "^[A-Za-z0-9_-]+$")]
    cursor: Option<String>,
}

/// Orders matching every filter given, newest first. A page reads at most
/// 2,000 orders: when rare matches are spread thin it may hold fewer than
/// `limit` (even none) and still have a `next_cursor`; follow it until
/// there is none.
#[utoipa::path(get, path = "/admin/orders", tag = "admin", security(("bearer" = [])),
    params(AdminOrderParams),
    responses((status = 200, body = Page<OrderView>),
        (status = 400, body = Problem, description = "`invalid_parameter`: a malformed id, date, limit or cursor"),
        (status = 403, body = Problem, description = "`forbidden_role`: not an admin"),
        (status = 503, body = Problem, description = "`unavailable`: the store did not answer")))]
async fn admin_orders(
    State(state): State<AppState>,
    admin: AuthUser,
    ApiQuery(params): ApiQuery<AdminOrderParams>,
) -> Result<Json<Page<OrderView>>, ApiError> {
    admin.require(&[Role::Admin])?;
    let limit = params.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        let detail = "limit must be between 1 and 100";
        return Err(ApiError::invalid_parameter("limit", detail));
    }
    let filter = OrderFilter {
        status: params.status,
        buyer: params.buyer_id,
        seller: params.seller_id,
        product: params.product_id,
        from: time_param("from", params.from)?,
        to: time_param("to", params.to)?,
    };
    let before = order_cursor(params.cursor)?;
    let found = state.orders.search(&filter, before, limit as usize).await?;
    Ok(Json(Page {
        items: found
            .orders
            .into_iter()
            .map(|o| view(o, admin.caller()))
            .collect(),
        next_cursor: found.next.map(cursor_after),
    }))
}

fn time_param(name: &str, value: Option<String>) -> Result<Option<Timestamp>, ApiError> {
    value
        .map(|v| {
            OffsetDateTime::parse(&v, &Rfc3339).map_err(|_| {
                let detail = format!("{name} must be a date-time like 2026-12-01T00:00:00Z");
                ApiError::invalid_parameter(name, &detail)
            })
        })
        .transpose()
}
