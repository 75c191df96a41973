//! Rate limits with GCRA (the generic cell rate algorithm): per client IP on every
//! API request, stricter on the auth endpoints, and per user on authenticated ones.
//! Answers carry `RateLimit-*` headers; refusals are 429 with `Retry-After`.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use futures::future::Either;
use tower::{Layer, Service};

use crate::config::{LimitConfig, RateLimitConfig};
use crate::error::ApiError;
use crate::state::AppState;

use super::BoxFuture;

const SHARDS: usize = 16;
/// A shard holding more keys than this drops the ones whose allowance is full.
const PRUNE_AT: usize = 10_000;

/// What a limiter decided for one request.
pub enum Decision {
    Allowed {
        limit: u32,
        remaining: u32,
        reset_secs: u64,
    },
    Limited {
        retry_after_secs: u64,
    },
}

/// One GCRA limit over many keys.
pub struct Gcra {
    interval: Duration,
    burst: u32,
    shards: Vec<Mutex<HashMap<String, Instant>>>,
}

impl Gcra {
    pub fn new(limit: &LimitConfig) -> Self {
        let per_second = limit.per_second.max(1e-6);
        Self {
            interval: Duration::from_secs_f64(1.0 / per_second),
            burst: limit.burst.max(1),
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
        }
    }

    pub fn check(&self, key: &str, now: Instant) -> Decision {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        key.hash(&mut hasher);
        let shard = &self.shards[(hasher.finish() as usize) % SHARDS];
        let mut map = shard.lock().unwrap_or_else(|p| p.into_inner());
        let tolerance = self.interval * (self.burst - 1);
        let tat = map.get(key).copied().filter(|t| *t > now).unwrap_or(now);
        let ahead = tat - now;
        if ahead > tolerance {
            let wait = ahead - tolerance;
            return Decision::Limited {
                retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            };
        }
        let next = tat + self.interval;
        if map.len() >= PRUNE_AT {
            map.retain(|_, t| *t > now);
        }
        map.insert(key.to_owned(), next);
        let used = ((next - now).as_secs_f64() / self.interval.as_secs_f64()).ceil() as u32;
        Decision::Allowed {
            limit: self.burst,
            remaining: self.burst.saturating_sub(used),
            reset_secs: (next - now).as_secs_f64().ceil() as u64,
        }
    }
}

/// The marketplace's limits, built from config.
pub struct RateLimiter {
    enabled: bool,
    trust_forwarded_for: bool,
    per_ip: Gcra,
    auth: Gcra,
    per_user: Gcra,
}

impl RateLimiter {
    pub fn new(config: &RateLimitConfig) -> Self {
        Self {
            enabled: config.enabled,
            trust_forwarded_for: config.trust_forwarded_for,
            per_ip: Gcra::new(&config.per_ip),
            auth: Gcra::new(&config.auth),
            per_user: Gcra::new(&config.per_user),
        }
    }

    /// Checks the per-user limit; called by the authentication extractor.
    pub fn check_user(&self, user: &str) -> Result<(), ApiError> {
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

    fn client_ip(&self, req: &Request) -> Option<IpAddr> {
        if self.trust_forwarded_for {
            let forwarded = req
                .headers()
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .and_then(|v| v.trim().parse().ok());
            if forwarded.is_some() {
                return forwarded;
            }
        }
        req.extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
    }
}

/// The per-IP limit (the auth limit on `/api/v1/auth/*`) on every API request.
#[derive(Clone)]
pub struct LimitByIpLayer(pub AppState);

impl<S> Layer<S> for LimitByIpLayer {
    type Service = LimitByIp<S>;

    fn layer(&self, inner: S) -> LimitByIp<S> {
        LimitByIp {
            inner,
            state: self.0.clone(),
        }
    }
}

/// The service [`LimitByIpLayer`] builds.
#[derive(Clone)]
pub struct LimitByIp<S> {
    inner: S,
    state: AppState,
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
        let limiter = &self.state.limiter;
        if !limiter.enabled || !req.uri().path().starts_with("/api/") {
            return Either::Left(self.inner.call(req));
        }
        let ip = limiter
            .client_ip(&req)
            .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
        let is_auth = req.uri().path().starts_with("/api/v1/auth/")
            && req.method() == axum::http::Method::POST;
        let (gcra, name) = if is_auth {
            (&limiter.auth, "auth")
        } else {
            (&limiter.per_ip, "ip")
        };
        match gcra.check(&ip, Instant::now()) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn gcra(per_second: f64, burst: u32) -> Gcra {
        Gcra::new(&LimitConfig { per_second, burst })
    }

    #[test]
    fn allows_a_burst_then_refuses_until_refilled() {
        let limit = gcra(1.0, 3);
        let t0 = Instant::now();
        for expected_remaining in [2, 1, 0] {
            match limit.check("ip", t0) {
                Decision::Allowed { remaining, .. } => assert_eq!(remaining, expected_remaining),
                Decision::Limited { .. } => panic!("burst should be allowed"),
            }
        }
        assert!(matches!(
            limit.check("ip", t0),
            Decision::Limited {
                retry_after_secs: 1
            }
        ));
        // Other keys are independent.
        assert!(matches!(limit.check("other", t0), Decision::Allowed { .. }));
        // One interval later, exactly one more request fits.
        let t1 = t0 + Duration::from_secs(1);
        assert!(matches!(limit.check("ip", t1), Decision::Allowed { .. }));
        assert!(matches!(limit.check("ip", t1), Decision::Limited { .. }));
    }
}
