//! Cross-cutting request handling: request ids, panics and security headers,
//! rate limits, metrics.
//!
//! Each is a plain tower service that calls its inner service directly. axum
//! already clones a route's whole layered stack for every request; a
//! `from_fn` middleware clones what lies beneath it once more and boxes it.

use std::future::Future;
use std::pin::Pin;

pub mod metrics;
pub mod outer;
pub mod rate_limit;
pub mod request_id;

/// The future a middleware answers with.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
