//! Single-use account tokens in the ScyllaDB store: one row of
//! `account_tokens` per token, by the hash of its secret.
//!
//! A take reads the token, checks its purpose and expiry, and deletes it
//! with a lightweight transaction conditioned on what it read
//! (`IF user_id = ? AND purpose = ? AND expires_ns > ?`): of racing takers
//! the first to apply wins and the others find no row, so one gets it.
//!
//! A token and the letter that carries it cannot share one write (a
//! message is stored `IF NOT EXISTS`, and a conditional batch holds one
//! partition), so the token is stored first and its mail after it
//! ([`ScyllaStore::store_mail`]): an acknowledged put has both, and a
//! failure between the two leaves a token no letter names, which nobody can
//! take and which lapses. The other order could send a letter whose link
//! does not work.
//!
//! The token row, and its place in the [`SERIES`] by expiry, carry a TTL
//! of [`GRACE`] past its expiry, so an expired token goes even if no purge
//! runs; a purge deletes those expired and not yet lapsed.

use souk_actors::store::{AccountToken, AccountTokenStore, OutboxMail, StoreError, TokenPurpose};
use souk_models::{Timestamp, UserId};
use time::Duration;
use uuid::Uuid;

use super::ScyllaStore;
use super::db::{Write, vals};
use super::docs::{nanos, ttl};
use super::series;

/// Tokens by the hour they expire, with their expiry (unix nanoseconds).
const SERIES: &str = "account_tokens";

/// How long an expired token is kept for a purge to count before its TTL
/// deletes it. Longer than any clock step between souk and the cluster,
/// so a token never lapses before it expires.
const GRACE: Duration = Duration::hours(1);

/// A purpose as the `purpose` column holds it (its serde name).
fn purpose_name(purpose: TokenPurpose) -> &'static str {
    match purpose {
        TokenPurpose::VerifyEmail => "verify_email",
        TokenPurpose::ResetPassword => "reset_password",
    }
}

/// The token row and its place by expiry, each with its TTL.
fn token_writes(token: &AccountToken) -> Result<Vec<Write>, StoreError> {
    let expires_ns = nanos(token.expires_at)?;
    let mut writes = vec![Write::new(
        "INSERT INTO account_tokens (hash, user_id, purpose, expires_ns) VALUES (?, ?, ?, ?) \
         USING TTL ?",
        vals![
            token.hash.as_str(),
            token.user_id.0,
            purpose_name(token.purpose),
            expires_ns,
            ttl(token.expires_at, GRACE)
        ],
    )];
    writes.extend(series::add_until(
        SERIES,
        token.hash.as_bytes().to_vec(),
        Some(expires_ns),
        token.expires_at,
        GRACE,
    ));
    Ok(writes)
}

#[async_trait::async_trait]
impl AccountTokenStore for ScyllaStore {
    async fn put_account_token(
        &self,
        token: &AccountToken,
        mail: &[OutboxMail],
    ) -> Result<(), StoreError> {
        self.batch(token_writes(token)?).await?;
        self.store_mail(mail).await?;
        Ok(())
    }

    async fn take_account_token(
        &self,
        hash: &str,
        purpose: TokenPurpose,
        now: Timestamp,
    ) -> Result<Option<UserId>, StoreError> {
        let now_ns = nanos(now)?;
        let purpose = purpose_name(purpose);
        let stored: Option<(Uuid, String, i64)> = self
            .db
            .opt(
                "SELECT user_id, purpose, expires_ns FROM account_tokens WHERE hash = ?",
                vals![hash],
            )
            .await?;
        let Some((user, stored_purpose, expires_ns)) = stored else {
            return Ok(None);
        };
        if stored_purpose != purpose || expires_ns <= now_ns {
            return Ok(None);
        }
        // Conditioned on the owner read too: should the token have been
        // stored again since, the user answered is the one deleted.
        let taken = self
            .lwt(
                "DELETE FROM account_tokens WHERE hash = ? \
                 IF user_id = ? AND purpose = ? AND expires_ns > ?",
                vals![hash, user, purpose, now_ns],
            )
            .await?;
        Ok(taken.applied.then_some(UserId(user)))
    }

    /// Reads the series up to `now`'s hour and deletes each token expired
    /// by `now` (conditionally: it may have been stored again since), with
    /// its series row. Rows whose token is gone (taken, or lapsed) are
    /// deleted, not counted.
    async fn purge_account_tokens(&self, now: Timestamp) -> Result<usize, StoreError> {
        let now_ns = nanos(now)?;
        self.check_fence().await?;
        let mut purged = 0;
        let last = series::bucket_of_time(now);
        for bucket in self.series_buckets_until(SERIES, last).await? {
            for (hash, at) in self.series_rows(SERIES, bucket).await? {
                if at.is_none_or(|at| at >= now_ns) {
                    continue;
                }
                let text = String::from_utf8(hash.clone())
                    .map_err(|_| StoreError::Corrupt("a token hash is not text".into()))?;
                let deleted = self
                    .db
                    .lwt(
                        "DELETE FROM account_tokens WHERE hash = ? IF expires_ns < ?",
                        vals![text.as_str(), now_ns],
                    )
                    .await?;
                if deleted.applied {
                    purged += 1;
                } else if deleted.column("expires_ns").is_some() {
                    // Stored again, unexpired: its series row stays.
                    continue;
                }
                let unlisted = series::remove(SERIES, bucket, hash);
                self.db.execute(unlisted.cql, unlisted.values).await?;
            }
        }
        Ok(purged)
    }
}

#[cfg(test)]
mod tests {
    use scylla::value::CqlValue;
    use time::OffsetDateTime;

    use super::*;

    fn token(ttl: Duration) -> AccountToken {
        AccountToken {
            hash: "aa01".into(),
            user_id: UserId::new(),
            purpose: TokenPurpose::ResetPassword,
            expires_at: OffsetDateTime::now_utc() + ttl,
        }
    }

    #[test]
    fn purposes_are_stored_by_their_serde_names() {
        for purpose in [TokenPurpose::VerifyEmail, TokenPurpose::ResetPassword] {
            let json = serde_json::to_string(&purpose).expect("serialised");
            assert_eq!(json, format!("\"{}\"", purpose_name(purpose)));
        }
    }

    #[test]
    fn a_token_is_stored_with_its_expiry_and_lapses_an_hour_after_it() {
        let t = token(Duration::minutes(30));
        let writes = token_writes(&t).expect("in range");
        assert_eq!(writes.len(), 3);
        assert!(writes[0].cql.starts_with("INSERT INTO account_tokens "));
        assert_eq!(
            writes[0].values[..4],
            vals![
                "aa01",
                t.user_id.0,
                "reset_password",
                nanos(t.expires_at).expect("in range")
            ][..]
        );
        let Some(Some(CqlValue::Int(lapses))) = writes[0].values.get(4) else {
            panic!("no TTL bound: {:?}", writes[0].values);
        };
        assert!((5_398..=5_400).contains(lapses), "{lapses}");
        assert!(writes[1].cql.starts_with("INSERT INTO series "));
        assert_eq!(writes[1].values[0], vals![SERIES][0]);
        assert!(writes[2].cql.starts_with("INSERT INTO series_buckets "));
    }

    #[test]
    fn an_expired_token_is_kept_for_a_purge_to_count() {
        let writes = token_writes(&token(Duration::minutes(-1))).expect("in range");
        let Some(Some(CqlValue::Int(lapses))) = writes[0].values.get(4) else {
            panic!("no TTL bound: {:?}", writes[0].values);
        };
        assert!((3_538..=3_540).contains(lapses), "{lapses}");
    }
}
