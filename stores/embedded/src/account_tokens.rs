//! Single-use account tokens in the embedded store, by hash.

use souk_actors::store::{AccountToken, AccountTokenStore, OutboxMail, StoreError, TokenPurpose};
use souk_models::{Timestamp, UserId};

use super::EmbeddedStore;
use super::tables::{ACCOUNT_TOKENS, decode, encode, io};

#[async_trait::async_trait]
impl AccountTokenStore for EmbeddedStore {
    async fn put_account_token(
        &self,
        token: &AccountToken,
        mail: &[OutboxMail],
    ) -> Result<(), StoreError> {
        let (hash, bytes) = (token.hash.clone(), encode(token)?);
        let mail = super::outbox::encoded(mail)?;
        self.write(move |txn| {
            txn.open_table(ACCOUNT_TOKENS)
                .map_err(io)?
                .insert(hash.as_str(), bytes.as_slice())
                .map_err(io)?;
            super::outbox::enqueue(txn, &mail)
        })
        .await
    }

    async fn take_account_token(
        &self,
        hash: &str,
        purpose: TokenPurpose,
        now: Timestamp,
    ) -> Result<Option<UserId>, StoreError> {
        let hash = hash.to_owned();
        self.write(move |txn| {
            let mut table = txn.open_table(ACCOUNT_TOKENS).map_err(io)?;
            let token: AccountToken = match table.get(hash.as_str()).map_err(io)? {
                Some(found) => decode(found.value())?,
                None => return Ok(None),
            };
            if token.purpose != purpose || token.expires_at <= now {
                return Ok(None);
            }
            table.remove(hash.as_str()).map_err(io)?;
            Ok(Some(token.user_id))
        })
        .await
    }

    async fn purge_account_tokens(&self, now: Timestamp) -> Result<usize, StoreError> {
        self.write(move |txn| {
            let mut table = txn.open_table(ACCOUNT_TOKENS).map_err(io)?;
            let mut gone = Vec::new();
            for row in table.iter().map_err(io)? {
                let (hash, bytes) = row.map_err(io)?;
                let token: AccountToken = decode(bytes.value())?;
                if token.expires_at < now {
                    gone.push(hash.value().to_owned());
                }
            }
            for hash in &gone {
                table.remove(hash.as_str()).map_err(io)?;
            }
            Ok(gone.len())
        })
        .await
    }
}
