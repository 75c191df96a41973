//! A seller's view of their own listings, and their shipping rates.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use souk_models::{Money, Role, ShippingRates};
use time::OffsetDateTime;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::listing::{ListParams, render};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::views::{Page, ProductView};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_products))
        .routes(routes!(get_shipping, put_shipping))
}

/// The caller's own products, archived ones included.
#[utoipa::path(get, path = "/seller/products", tag = "seller", security(("bearer" = [])), params(ListParams),
    responses((status = 200, body = Page<ProductView>),
        (status = 403, body = Problem, description = "`forbidden_role`: not a seller or admin")))]
async fn my_products(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Response, ApiError> {
    user.require(&[Role::Seller, Role::Admin])?;
    let (query, fingerprint) = params.into_query(Some(user.0.id))?;
    Ok(render(state.catalog.search(&query), fingerprint))
}

const SELLERS: &str = "`forbidden_role`: not a seller or admin";

/// What the caller's orders pay to ship: a flat amount per order plus an
/// amount per unit, free once their lines on an order reach `free_over`.
/// A seller who never set rates ships free.
#[utoipa::path(get, path = "/seller/shipping", tag = "seller", security(("bearer" = [])),
    responses((status = 200, body = ShippingRates), (status = 403, body = Problem, description = SELLERS)))]
async fn get_shipping(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<ShippingRates>, ApiError> {
    user.require(&[Role::Seller, Role::Admin])?;
    let stored = state.store.get_user(user.0.id).await?;
    let free = Money::zero(state.catalog.currency());
    let rates = stored.and_then(|u| u.shipping).unwrap_or(ShippingRates {
        per_order: free,
        per_item: free,
        free_over: None,
    });
    Ok(Json(rates))
}

/// Sets the caller's shipping rates, in the marketplace's currency; orders
/// checked out from now on pay them (placed orders keep what they paid).
#[utoipa::path(put, path = "/seller/shipping", tag = "seller", security(("bearer" = [])),
    request_body = ShippingRates,
    responses((status = 200, body = ShippingRates), (status = 403, body = Problem, description = SELLERS),
        (status = 422, body = Problem, description = "`wrong_currency`: not the marketplace's currency; `invalid_field`: a malformed amount")))]
async fn put_shipping(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(rates): ApiJson<ShippingRates>,
) -> Result<Json<ShippingRates>, ApiError> {
    user.require(&[Role::Seller, Role::Admin])?;
    let currency = state.catalog.currency();
    let amounts = [
        ("per_order", Some(rates.per_order)),
        ("per_item", Some(rates.per_item)),
        ("free_over", rates.free_over),
    ];
    for (field, amount) in amounts {
        if amount.is_some_and(|a| a.currency() != currency) {
            let detail = format!("shipping rates are in {}", currency.code());
            let refused = ApiError::unprocessable("wrong_currency", detail);
            return Err(refused.with_field(format!("{field}.currency")));
        }
    }
    let mut account = state
        .store
        .get_user(user.0.id)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    account.shipping = Some(rates);
    account.updated_at = OffsetDateTime::now_utc();
    state.store.update_user(&account).await?;
    Ok(Json(rates))
}
