//! The outermost layer every request passes: it gives the request its id
//! (see [`super::request_id`]), answers a handler's panic with a 500 problem,
//! and sets the security headers a response has not set itself.
//!
//! One service instead of a request-id layer, a panic layer and a layer per
//! header: axum clones a route's whole layered stack for every request, and
//! each layer adds its own clone and its own future around the handler's.

use std::panic::AssertUnwindSafe;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Response, header};
use axum::response::IntoResponse;
use futures::FutureExt;
use tower::{Layer, Service};
use tracing::Instrument;

use super::BoxFuture;
use super::request_id;
use crate::error::ApiError;

/// Set on every response that has not set them itself.
const SECURITY_HEADERS: [(HeaderName, &str); 4] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "no-referrer"),
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; frame-ancestors 'none'",
    ),
];

#[derive(Clone, Copy, Default)]
pub struct OuterLayer;

impl<S> Layer<S> for OuterLayer {
    type Service = Outer<S>;

    fn layer(&self, inner: S) -> Outer<S> {
        Outer(inner)
    }
}

/// The service [`OuterLayer`] builds.
#[derive(Clone)]
pub struct Outer<S>(S);

impl<S, B> Service<Request> for Outer<S>
where
    S: Service<Request, Response = Response<B>>,
    S::Future: Send + 'static,
    S::Error: 'static,
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Response<Body>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        let (id, header) = request_id::assign(&mut req);
        let span = tracing::info_span!(
            "request",
            request_id = %id,
            method = %req.method(),
            path = %req.uri().path(),
        );
        // A problem answered while the call itself runs carries the id too.
        let inner = &mut self.0;
        let called = request_id::sync_scope(id.clone(), || {
            span.in_scope(|| std::panic::catch_unwind(AssertUnwindSafe(|| inner.call(req))))
        });
        let answer = async move {
            let outcome = match called {
                Ok(future) => AssertUnwindSafe(future).catch_unwind().await,
                Err(panic) => Err(panic),
            };
            let mut response = match outcome {
                Ok(result) => result?.map(Body::new),
                Err(_) => ApiError::internal("a handler panicked").into_response(),
            };
            let headers = response.headers_mut();
            if let Some(h) = header {
                headers.insert(request_id::HEADER, h);
            }
            for (name, value) in SECURITY_HEADERS {
                headers
                    .entry(name)
                    .or_insert_with(|| HeaderValue::from_static(value));
            }
            Ok(response)
        };
        Box::pin(request_id::scope(id, answer.instrument(span)))
    }
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::http::StatusCode;
    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;

    async fn fine() -> impl IntoResponse {
        "fine"
    }

    async fn framed() -> impl IntoResponse {
        ([(header::X_FRAME_OPTIONS, "SAMEORIGIN")], "framed")
    }

    async fn panics_polled() -> &'static str {
        tokio::task::yield_now().await;
        panic!("polled")
    }

    fn app() -> Router {
        Router::new()
            .route("/fine", get(fine))
            .route("/framed", get(framed))
            .route("/polled", get(panics_polled))
            .layer(OuterLayer)
    }

    async fn get_with_id(path: &str, id: Option<&str>) -> Response<Body> {
        let mut request = axum::http::Request::builder().uri(path);
        if let Some(id) = id {
            request = request.header(request_id::HEADER, id);
        }
        let request = request.body(Body::empty()).expect("a valid request");
        match app().oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    }

    fn header_of<'a>(response: &'a Response<Body>, name: &str) -> &'a str {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn responses_carry_the_request_id_and_security_headers() {
        let response = get_with_id("/fine", Some("client-id-1")).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(header_of(&response, "x-request-id"), "client-id-1");
        assert_eq!(header_of(&response, "x-content-type-options"), "nosniff");
        assert_eq!(header_of(&response, "x-frame-options"), "DENY");
        assert_eq!(header_of(&response, "referrer-policy"), "no-referrer");
        assert!(header_of(&response, "content-security-policy").contains("default-src 'none'"));

        // An unusable id is replaced by a fresh one.
        let response = get_with_id("/fine", Some("not an id!")).await;
        let id = header_of(&response, "x-request-id");
        assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    }

    #[tokio::test]
    async fn a_header_the_handler_set_is_kept() {
        let response = get_with_id("/framed", None).await;
        assert_eq!(header_of(&response, "x-frame-options"), "SAMEORIGIN");
        assert_eq!(header_of(&response, "x-content-type-options"), "nosniff");
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_500_with_its_request_id() {
        let response = get_with_id("/polled", Some("panic-1")).await;
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            header_of(&response, "content-type"),
            "application/problem+json"
        );
        assert_eq!(header_of(&response, "x-request-id"), "panic-1");
        assert_eq!(header_of(&response, "x-content-type-options"), "nosniff");
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .expect("the body reads");
        let problem: serde_json::Value =
            serde_json::from_slice(&body).expect("a JSON problem body");
        assert_eq!(problem["status"], 500);
        assert_eq!(problem["request_id"], "panic-1");
    }

    #[tokio::test]
    async fn a_service_panicking_when_called_answers_500() {
        let panics = tower::service_fn(
            |_: Request| -> std::future::Ready<Result<Response<Body>, std::convert::Infallible>> {
                panic!("called")
            },
        );
        let request = axum::http::Request::builder()
            .uri("/")
            .body(Body::empty())
            .expect("a valid request");
        let response = match OuterLayer.layer(panics).oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!header_of(&response, "x-request-id").is_empty());
    }
}
