//! Accounts and addresses in the ScyllaDB store. An email is claimed in
//! `users_by_email` with a lightweight transaction before its account is
//! written, so one email has one account whatever the nodes do at once.

use futures::future::try_join_all;
use souk_actors::store::{StoreError, UserStore};
use souk_models::{Address, AddressId, Email, Role, User, UserId};
use uuid::Uuid;

use super::ScyllaStore;
use super::db::{Write, key, vals};
use super::docs::{from_doc, to_doc};
use super::series::{self, Direction};

fn taken(email: &Email) -> StoreError {
    StoreError::Conflict(format!("{email} is already registered"))
}

/// The series listing accounts of a role, or all of them.
fn users_series(role: Option<Role>) -> String {
    match role {
        Some(role) => format!("users/{}", role.as_str()),
        None => "users".to_owned(),
    }
}

/// The account row and its places in the account lists.
pub(crate) fn user_writes(user: &User) -> Result<Vec<Write>, StoreError> {
    let bucket = series::bucket_of_id(user.id.0);
    let mut writes = vec![Write::new(
        "INSERT INTO users (id, email, role, doc) VALUES (?, ?, ?, ?)",
        vals![
            user.id.0,
            user.email.as_str(),
            user.role.as_str(),
            to_doc(user)?
        ],
    )];
    for name in [users_series(None), users_series(Some(user.role))] {
        writes.extend(series::add(&name, bucket, key(user.id.0), None));
    }
    Ok(writes)
}

impl ScyllaStore {
    /// Claims `email` for `id`: `Ok(true)` if it is now (or already was)
    /// `id`'s, `Ok(false)` if another account holds it.
    async fn claim_email(&self, email: &Email, id: UserId) -> Result<bool, StoreError> {
        let claim = self
            .lwt(
                "INSERT INTO users_by_email (email, id) VALUES (?, ?) IF NOT EXISTS",
                vals![email.as_str(), id.0],
            )
            .await?;
        Ok(claim.applied || claim.column("id").and_then(|v| v.as_uuid()) == Some(id.0))
    }

    /// Gives up `email` if `id` holds it.
    async fn release_email(&self, email: &Email, id: UserId) -> Result<(), StoreError> {
        self.db
            .lwt(
                "DELETE FROM users_by_email WHERE email = ? IF id = ?",
                vals![email.as_str(), id.0],
            )
            .await?;
        Ok(())
    }

    pub(crate) async fn users_by_id(&self, ids: &[Uuid]) -> Result<Vec<User>, StoreError> {
        let found = try_join_all(ids.iter().map(|id| self.get_user(UserId(*id)))).await?;
        Ok(found.into_iter().flatten().collect())
    }
}

#[async_trait::async_trait]
impl UserStore for ScyllaStore {
    async fn create_user(&self, user: &User) -> Result<(), StoreError> {
        if self.get_user(user.id).await?.is_some() {
            return Err(StoreError::Conflict("user id already exists".into()));
        }
        if !self.claim_email(&user.email, user.id).await? {
            return Err(taken(&user.email));
        }
        if let Err(e) = self.batch(user_writes(user)?).await {
            // Written or not, the claim must not outlive a failed create
            // unless the account landed; a retry claims it again.
            if self.get_user(user.id).await.ok().flatten().is_none() {
                let _ = self.release_email(&user.email, user.id).await;
            }
            return Err(e);
        }
        Ok(())
    }

    async fn get_user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let row: Option<(String,)> = self
            .db
            .opt("SELECT doc FROM users WHERE id = ?", vals![id.0])
            .await?;
        row.map(|(doc,)| from_doc(&doc)).transpose()
    }

    async fn find_user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        let claim: Option<(Uuid,)> = self
            .db
            .opt(
                "SELECT id FROM users_by_email WHERE email = ?",
                vals![email.as_str()],
            )
            .await?;
        let Some((id,)) = claim else {
            return Ok(None);
        };
        // A claim whose account changed its email since is not a match.
        let user = self.get_user(UserId(id)).await?;
        Ok(user.filter(|u| &u.email == email))
    }

    async fn update_user(&self, user: &User) -> Result<(), StoreError> {
        let Some(before) = self.get_user(user.id).await? else {
            return Err(StoreError::NotFound);
        };
        let moved = before.email != user.email;
        if moved && !self.claim_email(&user.email, user.id).await? {
            return Err(taken(&user.email));
        }
        let mut writes = user_writes(user)?;
        if before.role != user.role {
            writes.push(series::remove(
                &users_series(Some(before.role)),
                series::bucket_of_id(user.id.0),
                key(user.id.0),
            ));
        }
        self.batch(writes).await?;
        if moved {
            self.release_email(&before.email, user.id).await?;
        }
        Ok(())
    }

    async fn list_users(
        &self,
        role: Option<Role>,
        after: Option<UserId>,
        limit: usize,
    ) -> Result<Vec<User>, StoreError> {
        let name = users_series(role);
        let mut found: Vec<User> = Vec::new();
        let mut cursor = after.map(|a| a.0);
        while found.len() < limit {
            let want = limit - found.len();
            let ids = self.series_page(&name, cursor, Direction::Up, want).await?;
            let Some(last) = ids.last() else { break };
            cursor = Some(*last);
            let users = self.users_by_id(&ids).await?;
            found.extend(
                users
                    .into_iter()
                    .filter(|u| role.is_none_or(|r| u.role == r)),
            );
            if ids.len() < want {
                break;
            }
        }
        Ok(found)
    }

    async fn add_address(&self, address: &Address, max_per_user: usize) -> Result<(), StoreError> {
        let user = address.user_id.0;
        let bound = i32::try_from(max_per_user).unwrap_or(i32::MAX);
        // `n` counts the user's addresses; the batch applies only if it is
        // still what was read, so racing adds cannot both pass the bound.
        for _ in 0..16 {
            let held = self.address_count(address.user_id).await?;
            if held.unwrap_or(0) >= bound {
                return Err(StoreError::LimitReached(format!(
                    "at most {max_per_user} addresses per account"
                )));
            }
            let written = self
                .batch(vec![
                    Write::new(
                        "UPDATE addresses SET n = ? WHERE user_id = ? IF n = ?",
                        vals![held.unwrap_or(0) + 1, user, held],
                    ),
                    Write::new(
                        "INSERT INTO addresses (user_id, id, doc) VALUES (?, ?, ?)",
                        vals![user, key(address.id.0), to_doc(address)?],
                    ),
                ])
                .await?;
            if written.applied {
                return Ok(());
            }
        }
        Err(StoreError::Unavailable(
            "the account's addresses kept changing".into(),
        ))
    }

    async fn list_addresses(&self, user: UserId) -> Result<Vec<Address>, StoreError> {
        let rows: Vec<(Option<String>,)> = self
            .db
            .rows("SELECT doc FROM addresses WHERE user_id = ?", vals![user.0])
            .await?;
        rows.into_iter()
            .filter_map(|(doc,)| doc)
            .map(|doc| from_doc(&doc))
            .collect()
    }

    async fn delete_address(&self, user: UserId, id: AddressId) -> Result<bool, StoreError> {
        for _ in 0..16 {
            let exists: Option<(Option<i32>, Option<String>)> = self
                .db
                .opt(
                    "SELECT n, doc FROM addresses WHERE user_id = ? AND id = ?",
                    vals![user.0, key(id.0)],
                )
                .await?;
            let Some((held, Some(_))) = exists else {
                return Ok(false);
            };
            let written = self
                .batch(vec![
                    Write::new(
                        "UPDATE addresses SET n = ? WHERE user_id = ? IF n = ?",
                        vals![held.unwrap_or(1).saturating_sub(1).max(0), user.0, held],
                    ),
                    Write::new(
                        "DELETE FROM addresses WHERE user_id = ? AND id = ?",
                        vals![user.0, key(id.0)],
                    ),
                ])
                .await?;
            if written.applied {
                return Ok(true);
            }
        }
        Err(StoreError::Unavailable(
            "the account's addresses kept changing".into(),
        ))
    }
}

impl ScyllaStore {
    /// The user's address count (`None` before their first address).
    async fn address_count(&self, user: UserId) -> Result<Option<i32>, StoreError> {
        let row: Option<(Option<i32>,)> = self
            .db
            .opt(
                "SELECT n FROM addresses WHERE user_id = ? LIMIT 1",
                vals![user.0],
            )
            .await?;
        Ok(row.and_then(|(n,)| n))
    }
}
