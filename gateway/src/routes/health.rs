//! Liveness, readiness and Prometheus metrics, outside `/api/v1`.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health/live", get(live))
        .route("/health/ready", get(ready))
}

/// Prometheus scrapes this; on the API listener or one of its own.
pub fn metrics_router() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

/// The process is up.
async fn live() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// The process can serve: its store answers reads and takes writes.
async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let store = &state.store;
    let checked = match store.get_meta("schema").await {
        Ok(_) => store.check_writable().await,
        Err(e) => Err(e),
    };
    match checked {
        Ok(_) => {
            let mut body = json!({ "status": "ready", "products": state.catalog.product_count() });
            // Without Redis a node still serves what it holds: it stays ready
            // and says coordination is degraded (docs/cluster.md).
            if let Some(cluster) = &state.cluster {
                let coordination = if cluster.coordinating() {
                    "ok"
                } else {
                    "degraded"
                };
                body["cluster"] = json!(coordination);
            }
            (StatusCode::OK, Json(body))
        }
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "reason": "store" })),
            )
        }
    }
}

/// How many best-selling products `/metrics` lists.
const TOP_PRODUCTS: usize = 10;

/// Prometheus text exposition: the recorder's metrics, then the current
/// best sellers (rendered here so a product that drops out of the top ten
/// leaves no stale series behind).
async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = &state.config.metrics_token
        && !bearer_matches(&headers, token.expose_secret())
    {
        return ApiError::unauthorized(
            "metrics_token",
            "/metrics requires Authorization: Bearer <metrics.token>",
        )
        .into_response();
    }
    let mut body = state
        .metrics
        .as_ref()
        .map(|h| h.render())
        .unwrap_or_default();
    let top = state.events.stats().top_products(TOP_PRODUCTS);
    body.push_str(&top_products(&top));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

/// Compares the bearer token in constant time (for equal lengths).
fn bearer_matches(headers: &HeaderMap, token: &str) -> bool {
    let Some(given) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return false;
    };
    crate::secrets::same(given, token)
}

fn top_products(top: &[(String, u64)]) -> String {
    let mut out = String::from(
        "# HELP souk_top_product_units_sold Units paid for since start, for the best-selling products.\n\
         # TYPE souk_top_product_units_sold gauge\n",
    );
    for (rank, (title, units)) in top.iter().enumerate() {
        let product = label_value(title);
        out.push_str(&format!(
            "souk_top_product_units_sold{{rank=\"{}\",product=\"{product}\"}} {units}\n",
            rank + 1
        ));
    }
    out
}

/// Escapes a Prometheus label value.
fn label_value(raw: &str) -> String {
    raw.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_sellers_are_ranked_with_escaped_titles() {
        let top = vec![("Mug \"XL\"\\2".to_owned(), 7), ("Tea".to_owned(), 3)];
        let text = top_products(&top);
        assert!(text.contains(
            "souk_top_product_units_sold{rank=\"1\",product=\"Mug \\\"XL\\\"\\\\2\"} 7\n"
        ));
        assert!(text.contains("souk_top_product_units_sold{rank=\"2\",product=\"Tea\"} 3\n"));
        assert!(text.starts_with("# HELP souk_top_product_units_sold"));
    }
}
