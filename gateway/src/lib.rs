//! souk's HTTP API: routes, authentication, rate limits, problem+json errors and
//! the OpenAPI document, over handles and services from `souk_actors`.

mod allow;
pub mod assistant;
pub mod auth;
pub mod client_ip;
pub mod cluster;
pub mod config;
mod docs;
pub mod error;
pub mod extract;
pub mod listener;
pub mod middleware;
mod openapi;
mod routes;
mod secrets;
pub mod state;
pub mod views;
pub mod ws;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, OriginalUri};
use axum::http::{HeaderName, HeaderValue, Method, header};
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};

pub use config::GatewayConfig;
pub use state::{AppParts, AppState};

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    let (api, spec) = routes::api().split_for_parts();
    let spec = openapi::finish(spec, &openapi::Settings::of(&state));
    let allow = Arc::new(allow::AllowTable::new(&spec, "/api/v1", OTHER_ROUTES));
    let document = Bytes::from(serde_json::to_vec(&spec).unwrap_or_default());
    let body_limit = state.config.http.body_limit_bytes;
    let cors = cors(&state.config.http.cors_allowed_origins);
    let metrics = if state.config.metrics_on_api {
        routes::metrics()
    } else {
        Router::new()
    };
    Router::new()
        .nest("/api/v1", api)
        .merge(docs::router(document))
        .merge(routes::health())
        .merge(routes::internal())
        .merge(metrics)
        .route_layer(middleware::metrics::TrackLayer::default())
        .fallback(error::no_route)
        .method_not_allowed_fallback(move |OriginalUri(uri): OriginalUri| {
            let allow = allow.for_path(uri.path()).map(str::to_owned);
            async move { error::wrong_method(allow) }
        })
        .layer(
            ServiceBuilder::new()
                .layer(middleware::outer::OuterLayer)
                .layer(cors)
                .layer(CompressionLayer::new())
                .layer(middleware::rate_limit::LimitByIpLayer(
                    state.limiter.clone(),
                ))
                .layer(DefaultBodyLimit::max(body_limit)),
        )
        .with_state(state)
}

/// Routes outside the OpenAPI document, for the `Allow` header of a 405.
const OTHER_ROUTES: &[(&str, &[&str])] = &[
    ("/api/v1/openapi.json", &["GET"]),
    ("/api/v1/docs", &["GET"]),
    ("/api/v1/docs/rapidoc-min.js", &["GET"]),
    ("/health/live", &["GET"]),
    ("/health/ready", &["GET"]),
    ("/metrics", &["GET"]),
    ("/internal/v1/inventory/{shard}", &["POST"]),
];

/// `/metrics` alone, for a listener of its own (`metrics.listen`).
pub fn metrics_app(state: AppState) -> Router {
    routes::metrics().with_state(state)
}

fn cors(origins: &[String]) -> CorsLayer {
    let origins: Arc<[HeaderValue]> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    // A predicate rather than `AllowOrigin::list`: the layer is cloned for
    // every request, and a predicate clones as one `Arc`.
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin, _| {
            origins.contains(origin)
        }))
        .allow_credentials(true)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("idempotency-key"),
            HeaderName::from_static(middleware::request_id::HEADER),
        ])
        .expose_headers([
            HeaderName::from_static(middleware::request_id::HEADER),
            header::RETRY_AFTER,
            HeaderName::from_static("ratelimit-limit"),
            HeaderName::from_static("ratelimit-remaining"),
            HeaderName::from_static("ratelimit-reset"),
        ])
        .max_age(Duration::from_secs(600))
}
