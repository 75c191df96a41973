//! A seller's view of their own listings.

use axum::extract::State;
use axum::response::Response;
use souk_models::Role;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::listing::{ListParams, render};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::ApiQuery;
use crate::state::AppState;
use crate::views::{Page, ProductView};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(my_products))
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
