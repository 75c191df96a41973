//! Request ids: taken from `x-request-id` when the client sends a sane one,
//! generated otherwise, echoed on the response, logged, and put in every problem.

use std::task::{Context, Poll};

use axum::extract::Request;
use axum::http::{HeaderValue, Response};
use tower::{Layer, Service};
use tracing::Instrument;

use super::BoxFuture;

pub const HEADER: &str = "x-request-id";

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being handled on this task, if any.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

fn acceptable(value: &HeaderValue) -> Option<String> {
    let s = value.to_str().ok()?;
    let ok = (1..=64).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c));
    ok.then(|| s.to_owned())
}

/// Gives every request an id, for the whole stack beneath it.
#[derive(Clone, Copy, Default)]
pub struct AssignLayer;

impl<S> Layer<S> for AssignLayer {
    type Service = Assign<S>;

    fn layer(&self, inner: S) -> Assign<S> {
        Assign(inner)
    }
}

/// The service [`AssignLayer`] builds. It calls its inner service directly
/// rather than through a clone, as `axum::middleware::from_fn` would.
#[derive(Clone)]
pub struct Assign<S>(S);

impl<S, B> Service<Request> for Assign<S>
where
    S: Service<Request, Response = Response<B>>,
    S::Future: Send + 'static,
    S::Error: 'static,
    B: 'static,
{
    type Response = Response<B>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Response<B>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        let id = req
            .headers()
            .get(HEADER)
            .and_then(acceptable)
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let header = HeaderValue::from_str(&id).ok();
        if let Some(h) = &header {
            req.headers_mut().insert(HEADER, h.clone());
        }
        let span = tracing::info_span!(
            "request",
            request_id = %id,
            method = %req.method(),
            path = %req.uri().path(),
        );
        // A problem answered while the call itself runs carries the id too.
        let answer = REQUEST_ID.sync_scope(id.clone(), || span.in_scope(|| self.0.call(req)));
        Box::pin(
            REQUEST_ID.scope(
                id,
                async move {
                    let mut response = answer.await?;
                    if let Some(h) = header {
                        response.headers_mut().insert(HEADER, h);
                    }
                    Ok(response)
                }
                .instrument(span),
            ),
        )
    }
}
