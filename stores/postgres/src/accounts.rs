//! Accounts and addresses in the PostgreSQL store.

use souk_actors::store::{StoreError, UserStore};
use souk_models::{Address, AddressId, Email, Role, User, UserId};
use tokio_postgres::types::Json;
use uuid::Uuid;

use super::PostgresStore;
use super::db::{big, count, doc, docs, exec, one, opt, pg, rows};

fn taken(user: &User) -> StoreError {
    StoreError::Conflict(format!("{} is already registered", user.email))
}

#[async_trait::async_trait]
impl UserStore for PostgresStore {
    async fn create_user(&self, user: &User) -> Result<(), StoreError> {
        let inserted = self
            .write_one(
                "INSERT INTO users (id, email, role, doc) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
                &[
                    &user.id.0,
                    &user.email.as_str(),
                    &user.role.as_str(),
                    &Json(user),
                ],
            )
            .await?;
        if inserted == 1 {
            return Ok(());
        }
        let client = self.client().await?;
        let email = opt(
            &client,
            "SELECT 1 FROM users WHERE email = $1",
            &[&user.email.as_str()],
        )
        .await?;
        Err(match email {
            Some(_) => taken(user),
            None => StoreError::Conflict("user id already exists".into()),
        })
    }

    async fn get_user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        if let Some(user) = self.users.get(id) {
            return Ok(Some(user));
        }
        let (writes, read_at) = (self.users.writes(), std::time::Instant::now());
        let client = self.client().await?;
        let row = opt(&client, "SELECT doc FROM users WHERE id = $1", &[&id.0]).await?;
        let user: Option<User> = row.map(|r| doc(&r, 0)).transpose()?;
        if let Some(user) = &user {
            self.users.fill(writes, user, read_at);
        }
        Ok(user)
    }

    async fn find_user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        let client = self.client().await?;
        let row = opt(
            &client,
            "SELECT doc FROM users WHERE email = $1",
            &[&email.as_str()],
        )
        .await?;
        row.map(|r| doc(&r, 0)).transpose()
    }

    async fn update_user(&self, user: &User) -> Result<(), StoreError> {
        self.users.forget(Some(user.id));
        let updated = self
            .write_one(
                "UPDATE users SET email = $2, role = $3, doc = $4 WHERE id = $1",
                &[
                    &user.id.0,
                    &user.email.as_str(),
                    &user.role.as_str(),
                    &Json(user),
                ],
            )
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => taken(user),
                e => e,
            });
        // Again once written: a read that began before the write may have
        // filled the entry.
        self.users.forget(Some(user.id));
        if updated? == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn list_users(
        &self,
        role: Option<Role>,
        after: Option<UserId>,
        limit: usize,
    ) -> Result<Vec<User>, StoreError> {
        let client = self.client().await?;
        let role = role.map(|r| r.as_str());
        let after = after.map(|a| a.0).unwrap_or(Uuid::nil());
        let found = rows(
            &client,
            "SELECT doc FROM users WHERE id > $1 AND ($2::text IS NULL OR role = $2) \
             ORDER BY id LIMIT $3",
            &[&after, &role, &big(limit)],
        )
        .await?;
        docs(&found, 0)
    }

    async fn add_address(&self, address: &Address, max_per_user: usize) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = self.begin(&mut client).await?;
        // Serialises a user's address writes, so two at once cannot both pass
        // the bound (a user with no account row has none to lock).
        exec(
            &tx,
            "SELECT 1 FROM users WHERE id = $1 FOR UPDATE",
            &[&address.user_id.0],
        )
        .await?;
        let held = one(
            &tx,
            "SELECT count(*) FROM addresses WHERE user_id = $1",
            &[&address.user_id.0],
        )
        .await?;
        if count(&held)? >= max_per_user {
            return Err(StoreError::LimitReached(format!(
                "at most {max_per_user} addresses per account"
            )));
        }
        exec(
            &tx,
            "INSERT INTO addresses (user_id, id, doc) VALUES ($1, $2, $3)",
            &[&address.user_id.0, &address.id.0, &Json(address)],
        )
        .await?;
        tx.commit().await.map_err(pg)
    }

    async fn list_addresses(&self, user: UserId) -> Result<Vec<Address>, StoreError> {
        let client = self.client().await?;
        let found = rows(
            &client,
            "SELECT doc FROM addresses WHERE user_id = $1 ORDER BY id",
            &[&user.0],
        )
        .await?;
        docs(&found, 0)
    }

    async fn delete_address(&self, user: UserId, id: AddressId) -> Result<bool, StoreError> {
        let deleted = self
            .write_one(
                "DELETE FROM addresses WHERE user_id = $1 AND id = $2",
                &[&user.0, &id.0],
            )
            .await?;
        Ok(deleted > 0)
    }
}
