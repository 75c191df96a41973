//! The product catalog: browse and search for everyone, listing management for
//! the owning seller and admins.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use souk_actors::{NewProduct, ProductPatch};
use souk_models::{
    Attributes, CategorySlug, Description, ImageUrl, Money, ProductId, ProductStatus, Role,
    StockCount, Title,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::listing::{ListParams, render};
use crate::auth::{AuthUser, MaybeAuthUser};
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use crate::views::{Page, ProductView, product_json};

/// Who may change a product.
const OWNER_ONLY: &str =
    "`forbidden_role` (not a seller or admin) or `not_owner` (another seller's product)";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_products, create_product))
        .routes(routes!(get_product, update_product, archive_product))
        .routes(routes!(set_stock))
}

/// Searches and browses active products.
#[utoipa::path(get, path = "/products", tag = "catalog", params(ListParams),
    responses((status = 200, body = Page<ProductView>)))]
async fn list_products(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Response, ApiError> {
    let (query, fingerprint) = params.into_query(None)?;
    Ok(render(state.catalog.search(&query), fingerprint))
}

/// One product. Archived products are visible only to their seller and
/// admins (send the token); to anyone else they are a 404.
#[utoipa::path(get, path = "/products/{id}", tag = "catalog", security((), ("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "product id")),
    responses((status = 200, body = ProductView),
        (status = 404, body = Problem, description = "`not_found`")))]
async fn get_product(
    State(state): State<AppState>,
    caller: MaybeAuthUser,
    ApiPath(id): ApiPath<ProductId>,
) -> Result<Response, ApiError> {
    let entry = state
        .catalog
        .get(id, caller.caller())
        .ok_or_else(|| ApiError::not_found("product"))?;
    Ok(Json(product_json(&entry)).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProduct {
    title: Title,
    #[serde(default = "empty_description")]
    description: Description,
    category: CategorySlug,
    #[serde(default)]
    attributes: Attributes,
    #[serde(default)]
    #[schema(max_items = 12)]
    images: Vec<ImageUrl>,
    price: Money,
    /// Units available for sale; default 0.
    #[serde(default = "no_stock")]
    stock: StockCount,
    /// Alert under this many available units; omitted: the marketplace
    /// default; 0: never.
    low_stock_threshold: Option<StockCount>,
}

fn empty_description() -> Description {
    Description::parse("").unwrap_or_else(|_| unreachable!("an empty description is valid"))
}

fn no_stock() -> StockCount {
    StockCount::new(0).unwrap_or_else(|_| unreachable!("zero stock is valid"))
}

/// Lists a new product owned by the caller (seller or admin).
#[utoipa::path(post, path = "/products", tag = "catalog", security(("bearer" = [])),
    request_body = CreateProduct,
    responses((status = 201, body = ProductView),
        (status = 403, body = Problem, description = "`forbidden_role`: not a seller or admin"),
        (status = 422, body = Problem, description = "`unknown_category`: no such category")))]
async fn create_product(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(req): ApiJson<CreateProduct>,
) -> Result<(StatusCode, Json<ProductView>), ApiError> {
    user.require(&[Role::Seller, Role::Admin])?;
    let new = NewProduct {
        title: req.title,
        description: req.description,
        category: req.category,
        attributes: req.attributes,
        images: req.images,
        price: req.price,
        stock: req.stock,
        low_stock_threshold: req.low_stock_threshold,
    };
    let entry = state.catalog.create(user.caller(), new).await?;
    Ok((StatusCode::CREATED, Json(entry.as_ref().into())))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProduct {
    title: Option<Title>,
    description: Option<Description>,
    category: Option<CategorySlug>,
    attributes: Option<Attributes>,
    #[schema(max_items = 12)]
    images: Option<Vec<ImageUrl>>,
    price: Option<Money>,
    /// `archived` takes the product off sale (as `DELETE` does); `active`
    /// puts it back.
    status: Option<ProductStatus>,
    /// A number sets the product's own threshold; `null` goes back to the
    /// marketplace default.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<StockCount>)]
    low_stock_threshold: Option<Option<StockCount>>,
}

/// Tells a field sent as `null` (`Some(None)`) from one left out (`None`).
fn present<'de, D, T>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

/// Changes a product's fields (its seller or an admin); `null` or a field
/// left out keeps it as it is, except `low_stock_threshold`.
#[utoipa::path(patch, path = "/products/{id}", tag = "catalog", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "product id")), request_body = UpdateProduct,
    responses((status = 200, body = ProductView), (status = 403, body = Problem, description = OWNER_ONLY),
        (status = 404, body = Problem, description = "`not_found`"),
        (status = 422, body = Problem, description = "`unknown_category`: no such category")))]
async fn update_product(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<ProductId>,
    ApiJson(req): ApiJson<UpdateProduct>,
) -> Result<Json<ProductView>, ApiError> {
    user.require(&[Role::Seller, Role::Admin])?;
    let patch = ProductPatch {
        title: req.title,
        description: req.description,
        category: req.category,
        attributes: req.attributes,
        images: req.images,
        price: req.price,
        status: req.status,
        low_stock_threshold: req.low_stock_threshold,
    };
    let entry = state.catalog.update(user.caller(), id, patch).await?;
    Ok(Json(entry.as_ref().into()))
}

/// Archives a product: a status change, not a deletion.
///
/// The same as `PATCH` with `{"status": "archived"}`. The product leaves the
/// catalog, search and the buyable lines of carts, but orders keep it, and
/// its seller and admins still read it with `GET /products/{id}` (`status:
/// archived`) and may restore it with `PATCH`. Archiving an archived product
/// changes nothing.
#[utoipa::path(delete, path = "/products/{id}", tag = "catalog", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "product id")),
    responses((status = 204, description = "archived (or already archived); still readable by its seller and admins"),
        (status = 403, body = Problem, description = OWNER_ONLY),
        (status = 404, body = Problem, description = "`not_found`")))]
async fn archive_product(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<ProductId>,
) -> Result<StatusCode, ApiError> {
    user.require(&[Role::Seller, Role::Admin])?;
    state.catalog.archive(user.caller(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetStock {
    /// Units available for sale from now on.
    available: StockCount,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct StockLevelView {
    product_id: ProductId,
    available: u64,
    reserved: u64,
    sold: u64,
    /// Every unit ever received: available + reserved + sold.
    on_hand: u64,
}

/// Sets how many units are available (its seller or an admin).
#[utoipa::path(put, path = "/products/{id}/stock", tag = "catalog", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "product id")), request_body = SetStock,
    responses((status = 200, body = StockLevelView), (status = 403, body = Problem, description = OWNER_ONLY),
        (status = 404, body = Problem, description = "`not_found`")))]
async fn set_stock(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<ProductId>,
    ApiJson(req): ApiJson<SetStock>,
) -> Result<Json<StockLevelView>, ApiError> {
    user.require(&[Role::Seller, Role::Admin])?;
    state.catalog.managed(user.caller(), id)?;
    let s = state.inventory.set_available(id, req.available).await?;
    Ok(Json(StockLevelView {
        product_id: id,
        available: s.available(),
        reserved: s.reserved,
        sold: s.sold,
        on_hand: s.on_hand,
    }))
}
