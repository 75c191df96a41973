//! Browsable categories.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use souk_models::Category;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_categories))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CategoryView {
    #[serde(flatten)]
    category: Category,
    /// Active products in the category.
    product_count: usize,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CategoryList {
    items: Vec<CategoryView>,
}

/// Every category with its number of active products.
#[utoipa::path(get, path = "/categories", tag = "catalog", responses((status = 200, body = CategoryList)))]
async fn list_categories(State(state): State<AppState>) -> Json<CategoryList> {
    let items = state
        .catalog
        .categories()
        .into_iter()
        .map(|(category, product_count)| CategoryView {
            category,
            product_count,
        })
        .collect();
    Json(CategoryList { items })
}
