//! Refresh tokens in the PostgreSQL store. A rotation locks the presented
//! token's row, so of two rotations of one token exactly one wins and the
//! other sees it used (and revokes the family, as reuse must).

use souk_actors::store::{RefreshToken, Rotation, StoreError, TokenStore};
use souk_models::{Timestamp, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

use super::PostgresStore;
use super::db::{column, exec, nanos, opt, pg};

const INSERT: &str = "INSERT INTO refresh_tokens (hash, user_id, family, expires_ns, used) \
                      VALUES ($1, $2, $3, $4, $5) \
                      ON CONFLICT (hash) DO UPDATE SET user_id = EXCLUDED.user_id, \
                      family = EXCLUDED.family, expires_ns = EXCLUDED.expires_ns, \
                      used = EXCLUDED.used";

const REVOKE: &str = "INSERT INTO revoked_families (family, revoked_s) VALUES ($1, $2) \
                      ON CONFLICT (family) DO NOTHING";

#[async_trait::async_trait]
impl TokenStore for PostgresStore {
    async fn put_refresh_token(&self, token: &RefreshToken) -> Result<(), StoreError> {
        self.write_one(
            INSERT,
            &[
                &token.hash,
                &token.user_id.0,
                &token.family,
                &nanos(token.expires_at)?,
                &token.used,
            ],
        )
        .await?;
        Ok(())
    }

    async fn rotate_refresh_token(
        &self,
        presented: &str,
        next: &RefreshToken,
        now: Timestamp,
    ) -> Result<Rotation, StoreError> {
        let mut client = self.client().await?;
        let tx = self.begin(&mut client).await?;
        let found = opt(
            &tx,
            "SELECT t.user_id, t.family, t.expires_ns, t.used, r.family IS NOT NULL \
             FROM refresh_tokens t LEFT JOIN revoked_families r ON r.family = t.family \
             WHERE t.hash = $1 FOR UPDATE OF t",
            &[&presented],
        )
        .await?;
        let Some(row) = found else {
            return Ok(Rotation::Invalid);
        };
        let user = UserId(column(&row, 0)?);
        let family: Uuid = column(&row, 1)?;
        let expires_ns: i64 = column(&row, 2)?;
        let (used, revoked): (bool, bool) = (column(&row, 3)?, column(&row, 4)?);
        if revoked || expires_ns <= nanos(now)? {
            return Ok(Rotation::Invalid);
        }
        let outcome = if used {
            exec(&tx, REVOKE, &[&family, &now.unix_timestamp()]).await?;
            Rotation::Reused(user)
        } else {
            exec(
                &tx,
                "UPDATE refresh_tokens SET used = true WHERE hash = $1",
                &[&presented],
            )
            .await?;
            exec(
                &tx,
                INSERT,
                &[
                    &next.hash,
                    &user.0,
                    &family,
                    &nanos(next.expires_at)?,
                    &next.used,
                ],
            )
            .await?;
            Rotation::Rotated(user, family)
        };
        tx.commit().await.map_err(pg)?;
        Ok(outcome)
    }

    async fn revoke_refresh_family(&self, presented: &str) -> Result<(), StoreError> {
        self.write_one(
            "INSERT INTO revoked_families (family, revoked_s) \
             SELECT family, $2 FROM refresh_tokens WHERE hash = $1 \
             ON CONFLICT (family) DO NOTHING",
            &[&presented, &OffsetDateTime::now_utc().unix_timestamp()],
        )
        .await?;
        Ok(())
    }

    async fn purge_expired_refresh_tokens(&self, now: Timestamp) -> Result<usize, StoreError> {
        let purged = self
            .write_one(
                "DELETE FROM refresh_tokens WHERE expires_ns <= $1",
                &[&nanos(now)?],
            )
            .await?;
        Ok(usize::try_from(purged).unwrap_or(usize::MAX))
    }
}
