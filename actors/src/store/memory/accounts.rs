//! Accounts and refresh tokens in memory.

use souk_models::{Address, AddressId, Email, Role, Timestamp, User, UserId};

use super::super::{RefreshToken, Rotation, StoreError, TokenStore, UserStore};
use super::{MemoryStore, taken};

#[async_trait::async_trait]
impl UserStore for MemoryStore {
    async fn create_user(&self, user: &User) -> Result<(), StoreError> {
        let mut db = self.write()?;
        if db.emails.contains_key(user.email.as_str()) {
            return Err(taken(&user.email));
        }
        if db.users.contains_key(&user.id) {
            return Err(StoreError::Conflict("user id already exists".into()));
        }
        db.emails.insert(user.email.as_str().to_owned(), user.id);
        db.users.insert(user.id, user.clone());
        Ok(())
    }

    async fn get_user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        Ok(self.lock().users.get(&id).cloned())
    }

    async fn find_user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        let db = self.lock();
        Ok(db
            .emails
            .get(email.as_str())
            .and_then(|id| db.users.get(id))
            .cloned())
    }

    async fn update_user(&self, user: &User) -> Result<(), StoreError> {
        let mut db = self.write()?;
        let old_email = db
            .users
            .get(&user.id)
            .ok_or(StoreError::NotFound)?
            .email
            .clone();
        if old_email != user.email {
            if db.emails.contains_key(user.email.as_str()) {
                return Err(taken(&user.email));
            }
            db.emails.remove(old_email.as_str());
            db.emails.insert(user.email.as_str().to_owned(), user.id);
        }
        db.users.insert(user.id, user.clone());
        Ok(())
    }

    async fn list_users(
        &self,
        role: Option<Role>,
        after: Option<UserId>,
        limit: usize,
    ) -> Result<Vec<User>, StoreError> {
        let db = self.lock();
        Ok(db
            .users
            .values()
            .filter(|u| after.is_none_or(|a| u.id > a) && role.is_none_or(|r| r == u.role))
            .take(limit)
            .cloned()
            .collect())
    }

    async fn add_address(&self, address: &Address, max_per_user: usize) -> Result<(), StoreError> {
        let mut db = self.write()?;
        let owner = address.user_id;
        let count = db.addresses.keys().filter(|(u, _)| *u == owner).count();
        if count >= max_per_user {
            return Err(StoreError::LimitReached(format!(
                "at most {max_per_user} addresses per account"
            )));
        }
        db.addresses.insert((owner, address.id), address.clone());
        Ok(())
    }

    async fn list_addresses(&self, user: UserId) -> Result<Vec<Address>, StoreError> {
        let db = self.lock();
        Ok(db
            .addresses
            .iter()
            .filter(|((u, _), _)| *u == user)
            .map(|(_, a)| a.clone())
            .collect())
    }

    async fn delete_address(&self, user: UserId, id: AddressId) -> Result<bool, StoreError> {
        Ok(self.write()?.addresses.remove(&(user, id)).is_some())
    }
}

#[async_trait::async_trait]
impl TokenStore for MemoryStore {
    async fn put_refresh_token(&self, token: &RefreshToken) -> Result<(), StoreError> {
        self.write()?
            .tokens
            .insert(token.hash.clone(), token.clone());
        Ok(())
    }

    async fn rotate_refresh_token(
        &self,
        presented: &str,
        next: &RefreshToken,
        now: Timestamp,
    ) -> Result<Rotation, StoreError> {
        let mut db = self.write()?;
        let Some(token) = db.tokens.get(presented).cloned() else {
            return Ok(Rotation::Invalid);
        };
        if db.revoked.contains_key(&token.family) || token.expires_at <= now {
            return Ok(Rotation::Invalid);
        }
        if token.used {
            db.revoked.insert(token.family, now.unix_timestamp());
            return Ok(Rotation::Reused(token.user_id));
        }
        db.tokens.insert(
            presented.to_owned(),
            RefreshToken {
                used: true,
                ..token.clone()
            },
        );
        let successor = RefreshToken {
            family: token.family,
            user_id: token.user_id,
            ..next.clone()
        };
        db.tokens.insert(successor.hash.clone(), successor);
        Ok(Rotation::Rotated(token.user_id, token.family))
    }

    async fn revoke_refresh_family(&self, presented: &str) -> Result<(), StoreError> {
        let mut db = self.write()?;
        if let Some(family) = db.tokens.get(presented).map(|t| t.family) {
            db.revoked
                .insert(family, time::OffsetDateTime::now_utc().unix_timestamp());
        }
        Ok(())
    }

    async fn purge_expired_refresh_tokens(&self, now: Timestamp) -> Result<usize, StoreError> {
        let mut db = self.write()?;
        let before = db.tokens.len();
        db.tokens.retain(|_, t| t.expires_at > now);
        Ok(before - db.tokens.len())
    }
}
