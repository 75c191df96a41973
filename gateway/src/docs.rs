//! The API's own description: the OpenAPI document at
//! `/api/v1/openapi.json` and the interactive documentation at
//! `/api/v1/docs` (RapiDoc 9.3.8, vendored in `gateway/assets/rapidoc/` and
//! embedded in the binary, so it works offline).

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;

use crate::state::AppState;

/// The page: no inline script; its styles are inline (the viewer sets
/// `style` attributes); the viewer, the document and "try it" requests come
/// from this server only. Fonts fall back to the system's.
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; \
     connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const PAGE: &str = include_str!("../assets/docs.html");
const VIEWER: &[u8] = include_bytes!("../assets/rapidoc/rapidoc-min.js");

/// The routes serving the document (already rendered) and the page.
pub fn router(document: Bytes) -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let document = document.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], document) }
            }),
        )
        .route("/api/v1/docs", get(page))
        .route("/api/v1/docs/rapidoc-min.js", get(viewer))
}

async fn page() -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(PAGE_CSP),
            ),
        ],
        PAGE,
    )
}

async fn viewer() -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        VIEWER,
    )
}
