//! The signed-in shopper's cart, priced from the catalog on every read.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use souk_actors::{Catalog, LineChange};
use souk_models::{
    Cart, Charges, Money, ProductId, ProductStatus, Quantity, Timestamp, WholeNumber,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

/// Why a cart change conflicts with the cart or the stock.
const CART_CONFLICT: &str =
    "`insufficient_stock` (fewer units are available) or `cart_full` (100 products already)";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_cart, clear_cart))
        .routes(routes!(add_item))
        .routes(routes!(update_item, remove_item))
}

/// Whether a line can be bought as it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LineStatus {
    Ok,
    /// Fewer units are available than the line asks for.
    InsufficientStock,
    OutOfStock,
    /// The seller archived the product.
    Archived,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CartLineView {
    pub product_id: ProductId,
    pub title: String,
    /// Current catalog price.
    pub unit_price: Money,
    pub quantity: u32,
    pub line_total: Money,
    pub available: u64,
    pub status: LineStatus,
}

/// A cart priced now. Lines that cannot be bought stay in the cart, flagged, and
/// are left out of `subtotal`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CartView {
    pub items: Vec<CartLineView>,
    /// Sum of the lines whose status is `ok`.
    pub subtotal: Money,
    pub item_count: u32,
    /// True when every line can be bought as it stands.
    pub ready_for_checkout: bool,
    /// On `GET /cart` with a destination: what checking out the lines that
    /// can be bought would charge now (subtotal, shipping, tax, total).
    /// Checkout prices afresh; the order keeps what it charged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimate: Option<Charges>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

/// Prices `cart` from the catalog's current prices and stock.
pub fn price(cart: &Cart, catalog: &Catalog) -> CartView {
    let currency = catalog.currency();
    let mut subtotal = Money::zero(currency);
    let mut items = Vec::with_capacity(cart.lines.len());
    for line in &cart.lines {
        // Products are archived, never deleted: a missing one means the store
        // and catalog disagree, which an operator must hear about.
        let Some(entry) = catalog.get_any(line.product_id) else {
            tracing::error!(product = %line.product_id, "cart line refers to a product missing from the catalog");
            continue;
        };
        let quantity = line.quantity.get();
        let available = entry.stock.available();
        let status = if entry.product.status == ProductStatus::Archived {
            LineStatus::Archived
        } else if available == 0 {
            LineStatus::OutOfStock
        } else if available < u64::from(quantity) {
            LineStatus::InsufficientStock
        } else {
            LineStatus::Ok
        };
        let unit_price = entry.product.price;
        let line_total = unit_price.times(quantity).unwrap_or(unit_price);
        if status == LineStatus::Ok {
            subtotal = subtotal.plus(line_total).unwrap_or(subtotal);
        }
        items.push(CartLineView {
            product_id: line.product_id,
            title: entry.product.title.as_str().to_owned(),
            unit_price,
            quantity,
            line_total,
            available,
            status,
        });
    }
    CartView {
        item_count: items.iter().map(|i| i.quantity).sum(),
        ready_for_checkout: !items.is_empty() && items.iter().all(|i| i.status == LineStatus::Ok),
        items,
        subtotal,
        estimate: None,
        updated_at: cart.updated_at,
    }
}

/// Stock available for a product a shopper wants to add: it must be listed.
fn available(state: &AppState, product: ProductId) -> Result<u64, ApiError> {
    let entry = state
        .catalog
        .get_any(product)
        .ok_or_else(|| ApiError::not_found("product"))?;
    if entry.product.status == ProductStatus::Archived {
        return Err(ApiError::unprocessable(
            "product_unavailable",
            "this product is no longer sold",
        )
        .with_field("product_id"));
    }
    Ok(entry.stock.available())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CartParams {
    /// Where the cart would ship (ISO 3166-1 alpha-2): adds `estimate`
    /// with shipping and tax. Absent: the country of the shopper's first
    /// saved address, if any.
    #[param(pattern = "^[A-Z]{2}$")]
    country: Option<String>,
}

/// The cart, priced now, with what checking it out would charge.
#[utoipa::path(get, path = "/cart", tag = "cart", security(("bearer" = [])), params(CartParams),
    responses((status = 200, body = CartView), (status = 400, body = Problem, description = "`invalid_parameter`: a country that is not two capital letters"),
        (status = 401, body = Problem)))]
async fn get_cart(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(params): ApiQuery<CartParams>,
) -> Result<Json<CartView>, ApiError> {
    if let Some(country) = &params.country
        && !(country.len() == 2 && country.chars().all(|c| c.is_ascii_uppercase()))
    {
        let detail = "country must be an ISO 3166-1 alpha-2 code in upper case, e.g. GB";
        return Err(ApiError::invalid_parameter("country", detail));
    }
    let cart = state.carts.get(user.0.id).await?;
    let mut view = price(&cart, &state.catalog);
    let country = match params.country {
        Some(country) => Some(country),
        None => state
            .store
            .list_addresses(user.0.id)
            .await?
            .into_iter()
            .next()
            .map(|a| a.fields.country),
    };
    if let Some(country) = country {
        view.estimate = state.checkout.quote(&cart, &country).await?;
    }
    Ok(Json(view))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddItem {
    product_id: ProductId,
    quantity: Quantity,
}

/// Adds units of a product (merging with its line). The line may not exceed the
/// units available.
#[utoipa::path(post, path = "/cart/items", tag = "cart", security(("bearer" = [])), request_body = AddItem,
    responses((status = 200, body = CartView),
        (status = 404, body = Problem, description = "`not_found`: no such product"),
        (status = 409, body = Problem, description = CART_CONFLICT),
        (status = 422, body = Problem, description = "`product_unavailable` (the product is archived) or \
            `too_many_units` (the line would pass 999 units)")))]
async fn add_item(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(req): ApiJson<AddItem>,
) -> Result<Json<CartView>, ApiError> {
    let available = available(&state, req.product_id)?;
    let change = LineChange::Add(req.quantity.get());
    let cart = state
        .carts
        .change(user.0.id, req.product_id, change, available)
        .await?;
    Ok(Json(price(&cart, &state.catalog)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateItem {
    /// 0 removes the line.
    #[schema(value_type = i64, minimum = 0, maximum = 999)]
    quantity: WholeNumber,
}

/// Sets a line's quantity; 0 removes it (and is a no-op for a product not
/// in the cart).
#[utoipa::path(patch, path = "/cart/items/{product_id}", tag = "cart", security(("bearer" = [])),
    params(("product_id" = uuid::Uuid, Path, description = "product id")), request_body = UpdateItem,
    responses((status = 200, body = CartView),
        (status = 404, body = Problem, description = "`not_found`: no such product"),
        (status = 409, body = Problem, description = CART_CONFLICT),
        (status = 422, body = Problem, description = "`product_unavailable`: the product is archived")))]
async fn update_item(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(product): ApiPath<ProductId>,
    ApiJson(req): ApiJson<UpdateItem>,
) -> Result<Json<CartView>, ApiError> {
    let quantity = u32::try_from(req.quantity.0)
        .ok()
        .filter(|q| *q <= Quantity::MAX)
        .ok_or_else(|| {
            ApiError::unprocessable("invalid_field", "quantity must be between 0 and 999")
                .with_field("quantity")
        })?;
    let available = if quantity == 0 {
        0
    } else {
        available(&state, product)?
    };
    let cart = state
        .carts
        .change(user.0.id, product, LineChange::Set(quantity), available)
        .await?;
    Ok(Json(price(&cart, &state.catalog)))
}

/// Removes a line.
#[utoipa::path(delete, path = "/cart/items/{product_id}", tag = "cart", security(("bearer" = [])),
    params(("product_id" = uuid::Uuid, Path, description = "product id")),
    responses((status = 200, body = CartView),
        (status = 404, body = Problem, description = "`not_in_cart`: the cart has no line for it")))]
async fn remove_item(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(product): ApiPath<ProductId>,
) -> Result<Json<CartView>, ApiError> {
    let cart = state
        .carts
        .change(user.0.id, product, LineChange::Remove, 0)
        .await?;
    Ok(Json(price(&cart, &state.catalog)))
}

/// Empties the cart.
#[utoipa::path(delete, path = "/cart", tag = "cart", security(("bearer" = [])),
    responses((status = 204, description = "emptied")))]
async fn clear_cart(State(state): State<AppState>, user: AuthUser) -> Result<StatusCode, ApiError> {
    state.carts.clear(user.0.id).await?;
    Ok(StatusCode::NO_CONTENT)
}
