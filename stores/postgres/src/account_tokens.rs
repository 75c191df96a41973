//! Single-use account tokens in the PostgreSQL store (`schema_3.sql`). A
//! token and the mail that carries it are inserted by one statement, so
//! they commit together or not at all. A take is one `DELETE … RETURNING`
//! that checks the purpose and the expiry: the row lock makes a racing
//! take wait, then find the row gone, so of racing takers one wins.

use souk_actors::store::{AccountToken, AccountTokenStore, OutboxMail, StoreError, TokenPurpose};
use souk_models::{Timestamp, UserId};
use tokio_postgres::types::Json;
use uuid::Uuid;

use super::PostgresStore;
use super::db::{column, nanos};
use super::outbox::MailColumns;

/// Stores the mail (a stored id is left as it is) and the token (replacing
/// one of the same hash), in one statement.
const PUT: &str = "\
WITH mailed AS (
    INSERT INTO outbox (id, due_ns, created_ns, doc)
    SELECT * FROM unnest($6::uuid[], $7::bigint[], $8::bigint[], $9::jsonb[])
    ON CONFLICT (id) DO NOTHING
)
INSERT INTO account_tokens (hash, user_id, purpose, expires_ns, doc)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (hash) DO UPDATE SET user_id = EXCLUDED.user_id, purpose = EXCLUDED.purpose,
    expires_ns = EXCLUDED.expires_ns, doc = EXCLUDED.doc";

/// Deletes the token if it is stored for the purpose and unexpired;
/// answers whose it was.
const TAKE: &str = "\
DELETE FROM account_tokens WHERE hash = $1 AND purpose = $2 AND expires_ns > $3
RETURNING user_id";

/// A purpose as the `purpose` column holds it (its serde name).
fn purpose_name(purpose: TokenPurpose) -> &'static str {
    match purpose {
        TokenPurpose::VerifyEmail => "verify_email",
        TokenPurpose::ResetPassword => "reset_password",
    }
}

#[async_trait::async_trait]
impl AccountTokenStore for PostgresStore {
    async fn put_account_token(
        &self,
        token: &AccountToken,
        mail: &[OutboxMail],
    ) -> Result<(), StoreError> {
        let m = MailColumns::new(mail.iter().map(|m| (Uuid::nil(), m.clone())).collect())?;
        self.write_one(
            PUT,
            &[
                &token.hash,
                &token.user_id.0,
                &purpose_name(token.purpose),
                &nanos(token.expires_at)?,
                &Json(token),
                &m.ids,
                &m.due,
                &m.created,
                &m.docs,
            ],
        )
        .await?;
        Ok(())
    }

    async fn take_account_token(
        &self,
        hash: &str,
        purpose: TokenPurpose,
        now: Timestamp,
    ) -> Result<Option<UserId>, StoreError> {
        let taken = self
            .write_rows(TAKE, &[&hash, &purpose_name(purpose), &nanos(now)?])
            .await?;
        taken
            .first()
            .map(|row| column(row, 0).map(UserId))
            .transpose()
    }

    async fn purge_account_tokens(&self, now: Timestamp) -> Result<usize, StoreError> {
        let purged = self
            .write_one(
                "DELETE FROM account_tokens WHERE expires_ns < $1",
                &[&nanos(now)?],
            )
            .await?;
        Ok(usize::try_from(purged).unwrap_or(usize::MAX))
    }
}

#[cfg(test)]
mod tests {
    use souk_actors::store::{Fence, Fencing, MailAbout};
    use souk_models::ProductId;
    use time::{Duration, OffsetDateTime};

    use super::*;
    use crate::testing::TestDatabase;

    fn letter(user: UserId) -> OutboxMail {
        let now = OffsetDateTime::now_utc();
        let about = MailAbout::LowStock {
            product_id: ProductId::new(),
            title: "Lamp".into(),
            available: 1,
            threshold: 5,
        };
        OutboxMail::new(user, about, now, now)
    }

    #[test]
    fn purposes_are_stored_by_their_serde_names() {
        for purpose in [TokenPurpose::VerifyEmail, TokenPurpose::ResetPassword] {
            let json = serde_json::to_string(&purpose).expect("serialised");
            assert_eq!(json, format!("\"{}\"", purpose_name(purpose)));
        }
    }

    /// A put refused by its fence stores neither the token nor its letter;
    /// one that passes stores both, the token's columns as it says.
    #[tokio::test]
    async fn a_token_and_its_letter_are_stored_together_or_not_at_all() {
        let Some(database) = TestDatabase::create().await else {
            return;
        };
        let store = database.store().await;
        let token = AccountToken {
            hash: "cc01".into(),
            user_id: UserId::new(),
            purpose: TokenPurpose::VerifyEmail,
            expires_at: OffsetDateTime::now_utc() + Duration::hours(1),
        };
        let sent = letter(token.user_id);
        let (old, new) = (Fence::new("accounts/0", 1), Fence::new("accounts/0", 2));
        let (old, new) = (store.fenced(old), store.fenced(new));
        new.put_meta("owner", "new")
            .await
            .expect("raised the epoch");
        let refused = old
            .put_account_token(&token, std::slice::from_ref(&sent))
            .await;
        assert!(matches!(refused, Err(StoreError::Fenced(_))), "{refused:?}");
        let counts = "SELECT (SELECT count(*) FROM account_tokens)::text \
                      || '/' || (SELECT count(*) FROM outbox)::text";
        assert_eq!(database.query_strings(counts).await, ["0/0"]);

        new.put_account_token(&token, std::slice::from_ref(&sent))
            .await
            .expect("stored");
        assert_eq!(database.query_strings(counts).await, ["1/1"]);
        let row = "SELECT purpose || '/' || (doc->>'hash') FROM account_tokens";
        assert_eq!(database.query_strings(row).await, ["verify_email/cc01"]);
    }
}
