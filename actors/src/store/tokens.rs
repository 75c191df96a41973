//! Refresh tokens: rotated on every use, with reuse detection per token family.

use serde::{Deserialize, Serialize};
use souk_models::{Timestamp, UserId};
use uuid::Uuid;

use super::StoreError;

/// A refresh token as stored: only the SHA-256 of the secret is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshToken {
    /// Hex SHA-256 of the token the client holds.
    pub hash: String,
    pub user_id: UserId,
    /// Every token obtained by rotating one login shares its family.
    pub family: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: Timestamp,
    /// Set once the token has been exchanged for its successor.
    pub used: bool,
}

/// What presenting a refresh token led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    /// The token was live: it is now used and its successor stored.
    /// (Its user, and its login: the family.)
    Rotated(UserId, Uuid),
    /// The token had already been used: its whole family is now revoked.
    Reused(UserId),
    /// Unknown, expired, or its family revoked.
    Invalid,
}

#[async_trait::async_trait]
pub trait TokenStore: Send + Sync {
    /// Stores a fresh token (a new login starts a new family).
    async fn put_refresh_token(&self, token: &RefreshToken) -> Result<(), StoreError>;
    /// Atomically exchanges the token whose hash is `presented` for `next`, or
    /// detects reuse and revokes the family. `next` is stored with the presented
    /// token's user and family, whatever it carries.
    async fn rotate_refresh_token(
        &self,
        presented: &str,
        next: &RefreshToken,
        now: Timestamp,
    ) -> Result<Rotation, StoreError>;
    /// Revokes the family of the token whose hash is `presented`; unknown tokens
    /// are ignored, so logging out twice is fine.
    async fn revoke_refresh_family(&self, presented: &str) -> Result<(), StoreError>;
    /// Deletes tokens that expired before `now`; returns how many.
    async fn purge_expired_refresh_tokens(&self, now: Timestamp) -> Result<usize, StoreError>;
}
