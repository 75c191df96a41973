//! The `Idempotency-Key` header: what makes a retried request do its work
//! once.

use axum::http::HeaderMap;

use crate::error::ApiError;

/// The request's key: 1 to `max` visible ASCII characters, or a `400`.
pub fn idempotency_key(headers: &HeaderMap, max: usize) -> Result<String, ApiError> {
    let value = headers.get("idempotency-key").ok_or_else(|| {
        ApiError::bad_request("missing_idempotency_key", "send an Idempotency-Key header")
    })?;
    value
        .to_str()
        .ok()
        .filter(|k| (1..=max).contains(&k.len()) && k.chars().all(|c| c.is_ascii_graphic()))
        .map(str::to_owned)
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalid_idempotency_key",
                format!("Idempotency-Key must be 1-{max} visible ASCII characters"),
            )
        })
}
