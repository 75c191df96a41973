//! Accounts and addresses in the embedded store.

use souk_actors::store::{StoreError, UserStore};
use souk_models::{Address, AddressId, Email, Role, User, UserId};

use super::EmbeddedStore;
use super::read_table::decode_values;
use super::tables::{ADDRESSES, USERS, USERS_BY_EMAIL, decode, encode, io, key};

#[async_trait::async_trait]
impl UserStore for EmbeddedStore {
    async fn create_user(&self, user: &User) -> Result<(), StoreError> {
        let (user, bytes) = (user.clone(), encode(user)?);
        self.write(move |txn| {
            let mut by_email = txn.open_table(USERS_BY_EMAIL).map_err(io)?;
            if by_email.get(user.email.as_str()).map_err(io)?.is_some() {
                return Err(StoreError::Conflict(format!(
                    "{} is already registered",
                    user.email
                )));
            }
            let mut users = txn.open_table(USERS).map_err(io)?;
            if users.get(key(user.id.0)).map_err(io)?.is_some() {
                return Err(StoreError::Conflict("user id already exists".into()));
            }
            by_email
                .insert(user.email.as_str(), key(user.id.0))
                .map_err(io)?;
            users.insert(key(user.id.0), bytes.as_slice()).map_err(io)?;
            Ok(())
        })
        .await
    }

    async fn get_user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        if let Some(user) = self.users.get(key(id.0)) {
            return Ok(Some(user));
        }
        let writes = self.users.writes();
        let found: Option<User> = self
            .read(move |txn| {
                let users = txn.open_table(USERS).map_err(io)?;
                let found = users.get(key(id.0)).map_err(io)?;
                found.map(|v| decode(v.value())).transpose()
            })
            .await?;
        if let Some(user) = &found {
            self.users.fill(writes, user);
        }
        Ok(found)
    }

    async fn find_user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        let email = email.clone();
        self.read(move |txn| {
            let by_email = txn.open_table(USERS_BY_EMAIL).map_err(io)?;
            let Some(id) = by_email.get(email.as_str()).map_err(io)?.map(|v| v.value()) else {
                return Ok(None);
            };
            let users = txn.open_table(USERS).map_err(io)?;
            let found = users.get(id).map_err(io)?;
            found.map(|v| decode(v.value())).transpose()
        })
        .await
    }

    async fn update_user(&self, user: &User) -> Result<(), StoreError> {
        let (user, bytes) = (user.clone(), encode(user)?);
        self.write(move |txn| {
            let mut users = txn.open_table(USERS).map_err(io)?;
            let old: User = match users.get(key(user.id.0)).map_err(io)? {
                Some(v) => decode(v.value())?,
                None => return Err(StoreError::NotFound),
            };
            let mut by_email = txn.open_table(USERS_BY_EMAIL).map_err(io)?;
            if old.email != user.email {
                if by_email.get(user.email.as_str()).map_err(io)?.is_some() {
                    return Err(StoreError::Conflict(format!(
                        "{} is already registered",
                        user.email
                    )));
                }
                by_email.remove(old.email.as_str()).map_err(io)?;
                by_email
                    .insert(user.email.as_str(), key(user.id.0))
                    .map_err(io)?;
            }
            users.insert(key(user.id.0), bytes.as_slice()).map_err(io)?;
            Ok(())
        })
        .await
    }

    async fn list_users(
        &self,
        role: Option<Role>,
        after: Option<UserId>,
        limit: usize,
    ) -> Result<Vec<User>, StoreError> {
        self.read(move |txn| {
            let users = txn.open_table(USERS).map_err(io)?;
            let range = match after {
                Some(after) => users.range(key(after.0) + 1..),
                None => users.range(0..),
            }
            .map_err(io)?;
            let mut out = Vec::new();
            for row in range {
                let (_, value) = row.map_err(io)?;
                let user: User = decode(value.value())?;
                if role.is_none_or(|r| r == user.role) {
                    out.push(user);
                    if out.len() >= limit {
                        break;
                    }
                }
            }
            Ok(out)
        })
        .await
    }

    async fn add_address(&self, address: &Address, max_per_user: usize) -> Result<(), StoreError> {
        let (owner, id, bytes) = (address.user_id, address.id, encode(address)?);
        self.write(move |txn| {
            let mut table = txn.open_table(ADDRESSES).map_err(io)?;
            let bounds = (key(owner.0), 0)..=(key(owner.0), u128::MAX);
            let count = table.range(bounds).map_err(io)?.count();
            if count >= max_per_user {
                return Err(StoreError::LimitReached(format!(
                    "at most {max_per_user} addresses per account"
                )));
            }
            table
                .insert((key(owner.0), key(id.0)), bytes.as_slice())
                .map_err(io)?;
            Ok(())
        })
        .await
    }

    async fn list_addresses(&self, user: UserId) -> Result<Vec<Address>, StoreError> {
        self.read(move |txn| {
            let table = txn.open_table(ADDRESSES).map_err(io)?;
            let bounds = (key(user.0), 0)..=(key(user.0), u128::MAX);
            decode_values(table.range(bounds).map_err(io)?)
        })
        .await
    }

    async fn delete_address(&self, user: UserId, id: AddressId) -> Result<bool, StoreError> {
        self.write(move |txn| {
            let mut table = txn.open_table(ADDRESSES).map_err(io)?;
            let removed = table
                .remove((key(user.0), key(id.0)))
                .map_err(io)?
                .is_some();
            Ok(removed)
        })
        .await
    }
}
