//! Rate limits with GCRA (the generic cell rate algorithm): per client IP on every
//! API request, stricter on the auth endpoints, and per user on authenticated ones.
//! Answers carry `RateLimit-*` headers; refusals are 429 with `Retry-After`.
//! Each limit keeps its clients in a fixed-size [`table::Table`].

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
        }
    }

    /// Checks the per-user limit; called by the authentication extractor.
    pub fn check_user(&self, user: impl std::hash::Hash) -> Result<(), ApiError> {
        if !self.enabled {
            return Ok(());
        }
        match self.per_user.check(user, Instant::now()) {
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
    S: Service<Request, Response = Response>,
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
        let (table, name) = if is_auth {
            (&limiter.auth, "auth")
        } else {
            (&limiter.per_ip, "ip")
        };
        match table.check(ip, Instant::now()) {
            Decision::Limited { retry_after_secs } => {
                metrics::counter!("souk_rate_limited_total", "limit" => name).increment(1);
                let refused = ApiError::too_many_requests(retry_after_secs).into_response();
                Either::Right(Box::pin(std::future::ready(Ok(refused))))
            }
            Decision::Allowed {
                limit,
                remaining,
                reset_secs,
            } => {
                let answer = self.inner.call(req);
                Either::Right(Box::pin(async move {
                    let mut response = answer.await?;
                    let headers = response.headers_mut();
                    headers.insert("ratelimit-limit", HeaderValue::from(limit));
                    headers.insert("ratelimit-remaining", HeaderValue::from(remaining));
                    headers.insert("ratelimit-reset", HeaderValue::from(reset_secs));
                    Ok(response)
                }))
            }
        }
    }
}
