//! Single-use account tokens: proving an email address is one's own, and
//! resetting a forgotten password. Only the SHA-256 of a token's secret is
//! stored; the secret travels in the letter that carries it.

use serde::{Deserialize, Serialize};
use souk_models::{Timestamp, UserId};

use super::{OutboxMail, StoreError};

/// What a token lets its holder do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenPurpose {
    VerifyEmail,
    ResetPassword,
}

/// A token as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountToken {
    /// Hex SHA-256 of the secret the letter carries.
    pub hash: String,
    pub user_id: UserId,
    pub purpose: TokenPurpose,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: Timestamp,
}

#[async_trait::async_trait]
pub trait AccountTokenStore: Send + Sync {
    /// Stores `token` and `mail` (the letter that carries it) in one write.
    async fn put_account_token(
        &self,
        token: &AccountToken,
        mail: &[OutboxMail],
    ) -> Result<(), StoreError>;
    /// Takes the token whose hash is `hash`: deletes it and answers whose
    /// it was, if it is stored for `purpose` and unexpired at `now`. Of
    /// racing takers of one token, one gets it.
    async fn take_account_token(
        &self,
        hash: &str,
        purpose: TokenPurpose,
        now: Timestamp,
    ) -> Result<Option<UserId>, StoreError>;
    /// Deletes tokens that expired before `now`; returns how many.
    async fn purge_account_tokens(&self, now: Timestamp) -> Result<usize, StoreError>;
}
