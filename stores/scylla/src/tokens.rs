//! Refresh tokens in the ScyllaDB store. A rotation marks the presented
//! token used with a lightweight transaction (`IF used = false`), so of two
//! rotations of one token exactly one wins and the other revokes the family,
//! as reuse must. Tokens are listed in the `tokens` series, bucketed by the
//! hour they expire, which is what a purge reads.

use souk_actors::store::{RefreshToken, Rotation, StoreError, TokenStore};
use souk_models::{Timestamp, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

use super::ScyllaStore;
use super::db::{Write, vals};
use super::docs::nanos;
use super::series;

const TOKENS: &str = "tokens";

/// The token row and its place by expiry.
pub(crate) fn token_writes(
    token: &RefreshToken,
    user: UserId,
    family: Uuid,
) -> Result<Vec<Write>, StoreError> {
    let expires_ns = nanos(token.expires_at)?;
    let mut writes = vec![Write::new(
        "INSERT INTO refresh_tokens (hash, user_id, family, expires_ns, used) \
         VALUES (?, ?, ?, ?, ?)",
        vals![token.hash.as_str(), user.0, family, expires_ns, token.used],
    )];
    writes.extend(series::add(
        TOKENS,
        series::bucket_of_time(token.expires_at),
        token.hash.as_bytes().to_vec(),
        Some(expires_ns),
    ));
    Ok(writes)
}

type TokenRow = (Uuid, Uuid, i64, bool);

impl ScyllaStore {
    async fn token(&self, hash: &str) -> Result<Option<TokenRow>, StoreError> {
        self.db
            .opt(
                "SELECT user_id, family, expires_ns, used FROM refresh_tokens WHERE hash = ?",
                vals![hash],
            )
            .await
    }

    async fn revoke(&self, family: Uuid) -> Result<(), StoreError> {
        self.write(
            "INSERT INTO revoked_families (family, revoked_s) VALUES (?, ?) IF NOT EXISTS",
            vals![family, OffsetDateTime::now_utc().unix_timestamp()],
        )
        .await
    }

    async fn revoked(&self, family: Uuid) -> Result<bool, StoreError> {
        let row: Option<(i64,)> = self
            .db
            .opt(
                "SELECT revoked_s FROM revoked_families WHERE family = ?",
                vals![family],
            )
            .await?;
        Ok(row.is_some())
    }
}

#[async_trait::async_trait]
impl TokenStore for ScyllaStore {
    async fn put_refresh_token(&self, token: &RefreshToken) -> Result<(), StoreError> {
        self.batch(token_writes(token, token.user_id, token.family)?)
            .await?;
        Ok(())
    }

    async fn rotate_refresh_token(
        &self,
        presented: &str,
        next: &RefreshToken,
        now: Timestamp,
    ) -> Result<Rotation, StoreError> {
        let Some((user, family, expires_ns, used)) = self.token(presented).await? else {
            return Ok(Rotation::Invalid);
        };
        let user = UserId(user);
        if expires_ns <= nanos(now)? || self.revoked(family).await? {
            return Ok(Rotation::Invalid);
        }
        if used {
            self.revoke(family).await?;
            return Ok(Rotation::Reused(user));
        }
        // The successor first: should the rotation then lose, its family is
        // revoked and the successor with it.
        self.batch(token_writes(next, user, family)?).await?;
        let won = self
            .lwt(
                "UPDATE refresh_tokens SET used = true WHERE hash = ? IF used = false",
                vals![presented],
            )
            .await?;
        if won.applied {
            Ok(Rotation::Rotated(user, family))
        } else {
            self.revoke(family).await?;
            Ok(Rotation::Reused(user))
        }
    }

    async fn revoke_refresh_family(&self, presented: &str) -> Result<(), StoreError> {
        if let Some((_, family, _, _)) = self.token(presented).await? {
            self.revoke(family).await?;
        }
        Ok(())
    }

    async fn purge_expired_refresh_tokens(&self, now: Timestamp) -> Result<usize, StoreError> {
        let now_ns = nanos(now)?;
        let last = series::bucket_of_time(now);
        let mut purged = 0;
        for (bucket, hash, expires_ns) in self.series_all(TOKENS).await? {
            if bucket > last || expires_ns.is_none_or(|at| at > now_ns) {
                continue;
            }
            let text = String::from_utf8(hash.clone())
                .map_err(|_| StoreError::Corrupt("a token hash is not text".into()))?;
            // The token may have been stored again since, with a later expiry.
            let stored = self.token(&text).await?.map(|(_, _, at, _)| at);
            let mut writes = vec![series::remove(TOKENS, bucket, hash)];
            if stored.is_some_and(|at| at <= now_ns) {
                writes.push(Write::new(
                    "DELETE FROM refresh_tokens WHERE hash = ?",
                    vals![text.as_str()],
                ));
                purged += 1;
            }
            self.batch(writes).await?;
        }
        Ok(purged)
    }
}
