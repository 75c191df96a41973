//! HTTP metrics by route template (never raw paths) and status.
//!
//! The metric handles for each (route, method, status) are looked up once and
//! kept: building a labelled key and finding it in the registry on every
//! request cost more than the counting itself.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{Method, Response};
use metrics::{Counter, Gauge, Histogram};
use tower::{Layer, Service};

use super::BoxFuture;

/// One route's handles, by method and status.
type RouteHandles = Vec<(Method, u16, Counter, Histogram)>;

#[derive(Default)]
struct Handles {
    in_flight: OnceLock<Gauge>,
    /// Bounded by routes × methods × statuses; unmatched paths share one entry.
    by_route: RwLock<HashMap<Box<str>, RouteHandles>>,
}

impl Handles {
    fn in_flight(&self) -> &Gauge {
        self.in_flight
            .get_or_init(|| metrics::gauge!("souk_http_requests_in_flight"))
    }

    fn record(&self, route: &str, method: &Method, status: u16, seconds: f64) {
        let find = |handles: &RouteHandles| {
            handles
                .iter()
                .position(|(m, s, _, _)| m == method && *s == status)
        };
        let count = |(_, _, count, time): &(Method, u16, Counter, Histogram)| {
            count.increment(1);
            time.record(seconds);
        };
        {
            let read = self.by_route.read().unwrap_or_else(|p| p.into_inner());
            if let Some(handles) = read.get(route)
                && let Some(at) = find(handles)
            {
                return count(&handles[at]);
            }
        }
        let mut write = self.by_route.write().unwrap_or_else(|p| p.into_inner());
        let handles = write.entry(route.into()).or_default();
        // Another request may have added them since the read.
        let at = find(handles).unwrap_or_else(|| {
            let labels = [
                ("method", method.as_str().to_owned()),
                ("route", route.to_owned()),
                ("status", status.to_string()),
            ];
            handles.push((
                method.clone(),
                status,
                metrics::counter!("souk_http_requests_total", &labels),
                metrics::histogram!("souk_http_request_duration_seconds", &labels),
            ));
            handles.len() - 1
        });
        count(&handles[at]);
    }
}

/// Counts and times every routed request.
#[derive(Clone, Default)]
pub struct TrackLayer(Arc<Handles>);

impl<S> Layer<S> for TrackLayer {
    type Service = Track<S>;

    fn layer(&self, inner: S) -> Track<S> {
        Track {
            inner,
            handles: self.0.clone(),
        }
    }
}

/// The service [`TrackLayer`] builds.
#[derive(Clone)]
pub struct Track<S> {
    inner: S,
    handles: Arc<Handles>,
}

impl<S, B> Service<Request> for Track<S>
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
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let started = Instant::now();
        // Lowered however the request ends, even if it is dropped.
        let in_flight = souk_actors::Pending::new(self.handles.in_flight().clone());
        let route = req.extensions().get::<MatchedPath>().cloned();
        let method = req.method().clone();
        let handles = self.handles.clone();
        let answer = self.inner.call(req);
        Box::pin(async move {
            let _in_flight = in_flight;
            let response = answer.await?;
            let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
            let seconds = started.elapsed().as_secs_f64();
            handles.record(route, &method, response.status().as_u16(), seconds);
            Ok(response)
        })
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use axum::Router;
    use axum::body::Body;
    use axum::extract::Path;
    use axum::http::StatusCode;
    use axum::routing::get;
    use metrics_exporter_prometheus::PrometheusBuilder;
    use tower::ServiceExt;

    use super::TrackLayer;

    async fn answer(Path(code): Path<u16>) -> StatusCode {
        StatusCode::from_u16(code).unwrap_or(StatusCode::IM_A_TEAPOT)
    }

    #[test]
    fn counts_each_route_method_and_status_apart() {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        let app = Router::new()
            .route("/items/{code}", get(answer).post(answer))
            .route_layer(TrackLayer::default());
        // One thread, so the handles are made with this test's recorder.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime");
        metrics::with_local_recorder(&recorder, || {
            runtime.block_on(async {
                for (method, path) in [
                    ("GET", "/items/200"),
                    ("GET", "/items/404"),
                    ("GET", "/items/200"),
                    ("POST", "/items/200"),
                    ("GET", "/items/200"),
                ] {
                    let request = axum::http::Request::builder()
                        .method(method)
                        .uri(path)
                        .body(Body::empty())
                        .unwrap_or_default();
                    let _ = app.clone().oneshot(request).await;
                }
            });
        });
        let text = handle.render();
        for line in [
            r#"souk_http_requests_total{method="GET",route="/items/{code}",status="200"} 3"#,
            r#"souk_http_requests_total{method="GET",route="/items/{code}",status="404"} 1"#,
            r#"souk_http_requests_total{method="POST",route="/items/{code}",status="200"} 1"#,
            r#"souk_http_request_duration_seconds_count{method="GET",route="/items/{code}",status="200"} 3"#,
            "souk_http_requests_in_flight 0",
        ] {
            assert!(text.contains(line), "missing {line} in:\n{text}");
        }
    }
}
