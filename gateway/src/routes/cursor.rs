//! Page cursors: the id a page ends at, opaque to clients (URL-safe base64
//! of the id's text). A cursor this server did not issue is a 400.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use uuid::Uuid;

use crate::error::ApiError;

/// The id a `cursor` parameter resumes after.
pub(super) fn decode(raw: &str) -> Result<Uuid, ApiError> {
    B64.decode(raw.as_bytes())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| {
            ApiError::invalid_parameter("cursor", "cursor is not one this server issued")
        })
}

/// The cursor of a page that ends at `last`.
pub(super) fn encode(last: Uuid) -> String {
    B64.encode(last.to_string())
}
