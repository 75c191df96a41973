//! Hybrid product search and similar products, served by the assistant's
//! vector index together with the catalog's lexical index.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use souk_embeddings::chat::Query;
use souk_embeddings::index::Filter;
use souk_models::{CategorySlug, ProductId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::listing::price_bound;
use crate::assistant::{Assistant, AssistantOff, Hit, SearchRequest};
use crate::error::{ApiError, Problem};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use crate::views::{ProductView, product_json};

const MAX_QUERY_CHARS: usize = 200;

/// Why an assistant route answers 503.
pub const ASSISTANT_OFF: &str = "`assistant_disabled` (`assistant.enabled = false`), \
    `assistant_unavailable` (its model or stored vectors could not be loaded) or \
    `assistant_starting` (still loading them, with `Retry-After`)";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(similar))
}

/// One ranked product.
#[derive(Serialize, utoipa::ToSchema)]
pub struct HitView<'a> {
    #[schema(value_type = ProductView)]
    pub product: &'a RawValue,
    /// Search: the fused reciprocal-rank score (higher is better). Similar:
    /// the cosine similarity.
    pub score: f32,
    /// Cosine similarity to the query, when the vector ranking took part.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub similarity: Option<f32>,
    /// Rank in the lexical (BM25) ranking, when the product matched it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lexical_rank: Option<usize>,
}

impl<'a> From<&'a Hit> for HitView<'a> {
    fn from(hit: &'a Hit) -> Self {
        Self {
            product: product_json(&hit.entry),
            score: hit.score,
            similarity: hit.similarity,
            lexical_rank: hit.lexical_rank,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SearchResults<'a> {
    pub items: Vec<HitView<'a>>,
}

/// The assistant, or 503 saying why it is not serving.
pub fn assistant(state: &AppState) -> Result<Arc<Assistant>, ApiError> {
    state.assistant.get().map_err(not_serving)
}

/// The 503 problem for an assistant that is not serving.
fn not_serving(off: AssistantOff) -> ApiError {
    use axum::http::StatusCode;
    let problem =
        |code, detail: String| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, code, detail);
    match off {
        AssistantOff::Disabled => problem(
            "assistant_disabled",
            "the shopping assistant is switched off on this server".to_owned(),
        ),
        AssistantOff::Model(why) => problem(
            "assistant_unavailable",
            format!("the shopping assistant has no usable model: {why}"),
        ),
        AssistantOff::Failed(why) => problem(
            "assistant_unavailable",
            format!("the shopping assistant could not load its product index: {why}"),
        ),
        AssistantOff::Starting => ApiError {
            retry_after: Some(2),
            ..problem(
                "assistant_starting",
                "the shopping assistant is loading its model and product index; \
                 try again in a few seconds"
                    .to_owned(),
            )
        },
    }
}

/// `limit` checked against the configured bounds.
fn limit(assistant: &Assistant, limit: Option<u32>) -> Result<usize, ApiError> {
    let max = assistant.config().max_limit;
    let limit = limit.map_or(assistant.config().default_limit, |l| l as usize);
    if (1..=max).contains(&limit) {
        Ok(limit)
    } else {
        Err(ApiError::invalid_parameter(
            "limit",
            &format!("limit must be between 1 and {max}"),
        ))
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// What to look for: up to 200 characters, not only white space.
    #[param(schema_with = query_text)]
    q: String,
    /// Results wanted; default and maximum from `assistant.default_limit`
    /// and `assistant.max_limit`.
    limit: Option<u32>,
    #[param(inline)]
    category: Option<CategorySlug>,
    /// Inclusive, in minor units of the marketplace currency. A range with
    /// `min_price` above `max_price` matches nothing.
    #[param(minimum = 0, maximum = 100_000_000_000_i64)]
    min_price: Option<i64>,
    /// Inclusive, in minor units of the marketplace currency.
    #[param(minimum = 0, maximum = 100_000_000_000_i64)]
    max_price: Option<i64>,
    /// `true`: only products with stock available.
    in_stock: Option<bool>,
}

fn query_text() -> utoipa::openapi::schema::Object {
    souk_models::schema::has_text(1, MAX_QUERY_CHARS)
}

/// Hybrid search: lexical and semantic rankings fused by reciprocal rank.
#[utoipa::path(get, path = "/search", tag = "assistant", params(SearchParams),
    responses((status = 200, body = SearchResults),
        (status = 503, body = Problem, description = ASSISTANT_OFF)))]
async fn search(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> Result<Response, ApiError> {
    let assistant = assistant(&state)?;
    let bad = ApiError::invalid_parameter;
    if params.q.chars().count() > MAX_QUERY_CHARS {
        return Err(bad("q", "q must be at most 200 characters"));
    }
    let text = params.q.trim();
    if text.is_empty() {
        return Err(bad("q", "q must not be blank"));
    }
    let limit = limit(&assistant, params.limit)?;
    price_bound("min_price", params.min_price)?;
    price_bound("max_price", params.max_price)?;
    let query = Query {
        text: text.to_owned(),
        filter: Filter {
            category: params.category.map(|c| c.as_str().to_owned()),
            min_price: params.min_price,
            max_price: params.max_price,
            in_stock: params.in_stock.unwrap_or(false),
            ..Filter::default()
        },
        ..Query::default()
    };
    let hits = assistant
        .search(SearchRequest {
            query: &query,
            limit,
        })
        .await?;
    let body = SearchResults {
        items: hits.iter().map(HitView::from).collect(),
    };
    Ok(Json(body).into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SimilarParams {
    /// Results wanted; default 10, at most `assistant.max_limit`.
    limit: Option<u32>,
}

/// Products most similar in meaning to this one (itself excluded).
#[utoipa::path(get, path = "/products/{id}/similar", tag = "assistant",
    params(("id" = uuid::Uuid, Path, description = "product id"), SimilarParams),
    responses((status = 200, body = SearchResults),
        (status = 404, body = Problem, description = "`not_found`: no such product in the catalog"),
        (status = 503, body = Problem, description = ASSISTANT_OFF)))]
async fn similar(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ProductId>,
    ApiQuery(params): ApiQuery<SimilarParams>,
) -> Result<Response, ApiError> {
    let assistant = assistant(&state)?;
    let limit = limit(&assistant, params.limit)?;
    let hits = assistant
        .similar(id, limit)
        .await?
        .ok_or_else(|| ApiError::not_found("product"))?;
    let body = SearchResults {
        items: hits.iter().map(HitView::from).collect(),
    };
    Ok(Json(body).into_response())
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;

    use super::*;

    #[test]
    fn an_assistant_still_starting_asks_the_client_to_retry_shortly() {
        let starting = not_serving(AssistantOff::Starting);
        assert_eq!(starting.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(starting.code, "assistant_starting");
        assert_eq!(starting.retry_after, Some(2));
        let failed = not_serving(AssistantOff::Failed("disk".to_owned()));
        assert_eq!(failed.code, "assistant_unavailable");
        assert!(failed.detail.contains("disk"), "{}", failed.detail);
        assert_eq!(failed.retry_after, None);
    }
}
