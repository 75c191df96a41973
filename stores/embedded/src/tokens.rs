//! Refresh tokens in the embedded store.

use souk_actors::store::{RefreshToken, Rotation, StoreError, TokenStore};
use souk_models::Timestamp;

use super::EmbeddedStore;
use super::tables::{REFRESH_TOKENS, REVOKED_FAMILIES, decode, encode, io, key};
use super::tx::Tx;

fn load(txn: &Tx, hash: &str) -> Result<Option<RefreshToken>, StoreError> {
    let table = txn.open_table(REFRESH_TOKENS).map_err(io)?;
    let found = table.get(hash).map_err(io)?;
    found.map(|v| decode(v.value())).transpose()
}

pub(super) fn save(txn: &Tx, token: &RefreshToken) -> Result<(), StoreError> {
    let bytes = encode(token)?;
    let mut table = txn.open_table(REFRESH_TOKENS).map_err(io)?;
    table
        .insert(token.hash.as_str(), bytes.as_slice())
        .map_err(io)?;
    Ok(())
}

fn revoke(txn: &Tx, token: &RefreshToken, now: Timestamp) -> Result<(), StoreError> {
    let mut revoked = txn.open_table(REVOKED_FAMILIES).map_err(io)?;
    revoked
        .insert(key(token.family), now.unix_timestamp())
        .map_err(io)?;
    Ok(())
}

fn is_revoked(txn: &Tx, token: &RefreshToken) -> Result<bool, StoreError> {
    let revoked = txn.open_table(REVOKED_FAMILIES).map_err(io)?;
    Ok(revoked.get(key(token.family)).map_err(io)?.is_some())
}

#[async_trait::async_trait]
impl TokenStore for EmbeddedStore {
    async fn put_refresh_token(&self, token: &RefreshToken) -> Result<(), StoreError> {
        let token = token.clone();
        self.write(move |txn| save(txn, &token)).await
    }

    async fn rotate_refresh_token(
        &self,
        presented: &str,
        next: &RefreshToken,
        now: Timestamp,
    ) -> Result<Rotation, StoreError> {
        let (presented, next) = (presented.to_owned(), next.clone());
        self.write(move |txn| {
            let Some(mut token) = load(txn, &presented)? else {
                return Ok(Rotation::Invalid);
            };
            if is_revoked(txn, &token)? || token.expires_at <= now {
                return Ok(Rotation::Invalid);
            }
            if token.used {
                revoke(txn, &token, now)?;
                return Ok(Rotation::Reused(token.user_id));
            }
            token.used = true;
            save(txn, &token)?;
            save(
                txn,
                &RefreshToken {
                    family: token.family,
                    user_id: token.user_id,
                    ..next
                },
            )?;
            Ok(Rotation::Rotated(token.user_id, token.family))
        })
        .await
    }

    async fn revoke_refresh_family(&self, presented: &str) -> Result<(), StoreError> {
        let presented = presented.to_owned();
        self.write(move |txn| match load(txn, &presented)? {
            Some(token) => revoke(txn, &token, time::OffsetDateTime::now_utc()),
            None => Ok(()),
        })
        .await
    }

    async fn purge_expired_refresh_tokens(&self, now: Timestamp) -> Result<usize, StoreError> {
        self.write(move |txn| {
            let mut table = txn.open_table(REFRESH_TOKENS).map_err(io)?;
            let mut expired = Vec::new();
            for row in table.iter().map_err(io)? {
                let (hash, value) = row.map_err(io)?;
                let token: RefreshToken = decode(value.value())?;
                if token.expires_at <= now {
                    expired.push(hash.value().to_owned());
                }
            }
            for hash in &expired {
                table.remove(hash.as_str()).map_err(io)?;
            }
            Ok(expired.len())
        })
        .await
    }
}
