//! Liveness, readiness and Prometheus metrics, outside `/api/v1`.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::{Value, json};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health/live", get(live))
        .route("/health/ready", get(ready))
        .route("/metrics", get(metrics))
}

/// The process is up.
async fn live() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// The process can serve: its store answers.
async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    match state.store.get_meta("schema").await {
        Ok(_) => (
            StatusCode::OK,
            Json(json!({ "status": "ready", "products": state.catalog.product_count() })),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "reason": "store" })),
            )
        }
    }
}

/// Prometheus text exposition.
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let body = state
        .metrics
        .as_ref()
        .map(|h| h.render())
        .unwrap_or_default();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body)
}
