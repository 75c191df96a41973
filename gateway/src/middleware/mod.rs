//! Cross-cutting request handling: request ids, rate limits, metrics.

pub mod metrics;
pub mod rate_limit;
pub mod request_id;
