//! Account tokens in memory.

use souk_models::{Timestamp, UserId};

use super::super::{AccountToken, AccountTokenStore, OutboxMail, StoreError, TokenPurpose};
use super::MemoryStore;

#[async_trait::async_trait]
impl AccountTokenStore for MemoryStore {
    async fn put_account_token(
        &self,
        token: &AccountToken,
        mail: &[OutboxMail],
    ) -> Result<(), StoreError> {
        let mut db = self.write()?;
        db.account_tokens.insert(token.hash.clone(), token.clone());
        db.enqueue(mail);
        Ok(())
    }

    async fn take_account_token(
        &self,
        hash: &str,
        purpose: TokenPurpose,
        now: Timestamp,
    ) -> Result<Option<UserId>, StoreError> {
        let mut db = self.write()?;
        match db.account_tokens.get(hash) {
            Some(t) if t.purpose == purpose && t.expires_at > now => {
                let user = t.user_id;
                db.account_tokens.remove(hash);
                Ok(Some(user))
            }
            _ => Ok(None),
        }
    }

    async fn purge_account_tokens(&self, now: Timestamp) -> Result<usize, StoreError> {
        let mut db = self.write()?;
        let before = db.account_tokens.len();
        db.account_tokens.retain(|_, t| t.expires_at >= now);
        Ok(before - db.account_tokens.len())
    }
}
