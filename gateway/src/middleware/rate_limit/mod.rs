//! Rate limits with GCRA (the generic cell rate algorithm): per client IP on every
//! API request, stricter on the auth endpoints, and per user on authenticated ones.
//! Answers carry `RateLimit-*` headers; refusals are 429 with `Retry-After`.
//! Each limit keeps its clients in a fixed-size [`table::Table`]; in a
//! cluster the limits are kept in Redis instead (`shared`), so they hold
//! across nodes, and a node decides with its own table only while the
//! shared state does not answer within [`SHARED_WAIT`].

mod shared;
mod table;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::{ConnectInfo, Request};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use futures::future::Either;
use tower::{Layer, Service};

pub use shared::{SHARED_WAIT, SharedLimits};
pub use table::{Decision, Table, WAYS};

use crate::client_ip::{TrustedProxies, limit_key};
use crate::config::RateLimitConfig;
use crate::error::ApiError;

use super::BoxFuture;

/// The marketplace's limits, built from config.
pub struct RateLimiter {
    enabled: bool,
    /// Set when `X-Forwarded-For` is trusted (behind these proxies).
    proxies: Option<TrustedProxies>,
    per_ip: Table,
    auth: Table,
    per_user: Table,
    /// In a cluster: the limits as every node counts them.
    shared: Option<Arc<dyn SharedLimits>>,
}

impl RateLimiter {
    pub fn new(config: &RateLimitConfig) -> Self {
        let size = config.max_clients;
        Self {
            enabled: config.enabled,
            proxies: config.trust_forwarded_for.then(|| config.proxies()),
            per_ip: Table::new(&config.per_ip, size, "ip"),
            auth: Table::new(&config.auth, size, "auth"),
            per_user: Table::new(&config.per_user, size, "user"),
            shared: None,
        }
    }

    /// The same limits, counted in `shared` for every node of a cluster.
    pub fn shared_through(self, shared: Arc<dyn SharedLimits>) -> Self {
        Self {
            shared: Some(shared),
            ..self
        }
    }

    /// Counts a request of `key` against `table`: in the shared state when
    /// there is one and it answers in time, otherwise in this node's table.
    async fn decide(&self, table: &Table, key: String) -> Decision {
        if let Some(shared) = &self.shared {
            let check = shared.check(table.name(), &key, table.interval(), table.burst());
            match tokio::time::timeout(SHARED_WAIT, check).await {
                Ok(Ok(decision)) => return decision,
                Ok(Err(e)) => tracing::debug!(error = %e, "shared rate limit unavailable"),
                Err(_) => tracing::debug!("shared rate limit too slow"),
            }
            metrics::counter!("souk_rate_limit_shared_failures_total", "limit" => table.name())
                .increment(1);
        }
        table.check(key, Instant::now())
    }

    /// Checks the per-user limit; called by the authentication extractor.
    pub async fn check_user(&self, user: impl std::fmt::Display) -> Result<(), ApiError> {
        if !self.enabled {
            return Ok(());
        }
        match self.decide(&self.per_user, user.to_string()).await {
            Decision::Allowed { .. } => Ok(()),
            Decision::Limited { retry_after_secs } => {
                metrics::counter!("souk_rate_limited_total", "limit" => "user").increment(1);
                Err(ApiError::too_many_requests(retry_after_secs))
            }
        }
    }

    /// The client's address (see [`TrustedProxies::client`]); `None` only
    /// when the server was not given the peer's address.
    pub fn client_ip(&self, req: &Request) -> Option<IpAddr> {
        let peer = req.extensions().get::<ConnectInfo<SocketAddr>>()?.0.ip();
        Some(match &self.proxies {
            Some(proxies) => proxies.client(peer, req.headers()),
            None => peer,
        })
    }
}

/// The per-IP limit (the auth limit on `/api/v1/auth/*`) on every API request.
#[derive(Clone)]
pub struct LimitByIpLayer(pub Arc<RateLimiter>);

impl<S> Layer<S> for LimitByIpLayer {
    type Service = LimitByIp<S>;

    fn layer(&self, inner: S) -> LimitByIp<S> {
        LimitByIp {
            inner,
            limiter: self.0.clone(),
        }
    }
}

/// The service [`LimitByIpLayer`] builds.
#[derive(Clone)]
pub struct LimitByIp<S> {
    inner: S,
    limiter: Arc<RateLimiter>,
}

type Limited<F, E> = Either<F, BoxFuture<Result<Response, E>>>;

impl<S> Service<Request> for LimitByIp<S>
where
    S: Service<Request, Response = Response> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Limited<S::Future, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let limiter = &self.limiter;
        if !limiter.enabled || !req.uri().path().starts_with("/api/") {
            return Either::Left(self.inner.call(req));
        }
        // Without the peer's address (a test service), all share one key.
        let ip = limiter
            .client_ip(&req)
            .map_or(IpAddr::from([0, 0, 0, 0]), limit_key);
        let is_auth = req.uri().path().starts_with("/api/v1/auth/")
            && req.method() == axum::http::Method::POST;
        if limiter.shared.is_some() {
            // The shared limit is asked first, then the request runs: the
            // inner service is cloned to be called once the answer is in.
            let limiter = limiter.clone();
            let inner = self.inner.clone();
            let mut inner = std::mem::replace(&mut self.inner, inner);
            return Either::Right(Box::pin(async move {
                let table = if is_auth {
                    &limiter.auth
                } else {
                    &limiter.per_ip
                };
                match limiter.decide(table, ip.to_string()).await {
                    Decision::Limited { retry_after_secs } => {
                        Ok(refuse(table.name(), retry_after_secs))
                    }
                    allowed => Ok(with_headers(inner.call(req).await?, &allowed)),
                }
            }));
        }
        let table = if is_auth {
            &limiter.auth
        } else {
            &limiter.per_ip
        };
        match table.check(ip, Instant::now()) {
            Decision::Limited { retry_after_secs } => {
                let refused = refuse(table.name(), retry_after_secs);
                Either::Right(Box::pin(std::future::ready(Ok(refused))))
            }
            allowed => {
                let answer = self.inner.call(req);
                Either::Right(Box::pin(async move {
                    Ok(with_headers(answer.await?, &allowed))
                }))
            }
        }
    }
}

fn refuse(limit: &'static str, retry_after_secs: u64) -> Response {
    metrics::counter!("souk_rate_limited_total", "limit" => limit).increment(1);
    ApiError::too_many_requests(retry_after_secs).into_response()
}

/// `response` with the `RateLimit-*` headers of an allowed request.
fn with_headers(mut response: Response, decision: &Decision) -> Response {
    if let Decision::Allowed {
        limit,
        remaining,
        reset_secs,
    } = *decision
    {
        let headers = response.headers_mut();
        headers.insert("ratelimit-limit", HeaderValue::from(limit));
        headers.insert("ratelimit-remaining", HeaderValue::from(remaining));
        headers.insert("ratelimit-reset", HeaderValue::from(reset_secs));
    }
    response
}
