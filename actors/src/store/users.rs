//! Accounts and their saved addresses.

use souk_models::{Address, AddressId, Email, Role, User, UserId};

use super::StoreError;

#[async_trait::async_trait]
pub trait UserStore: Send + Sync {
    /// Inserts a new account; `Conflict` if its email is taken.
    async fn create_user(&self, user: &User) -> Result<(), StoreError>;
    async fn get_user(&self, id: UserId) -> Result<Option<User>, StoreError>;
    async fn find_user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError>;
    /// Replaces an existing account; `NotFound` if it does not exist, `Conflict` if
    /// its new email belongs to another account.
    async fn update_user(&self, user: &User) -> Result<(), StoreError>;
    /// Accounts in creation order after `after`, optionally of one role.
    async fn list_users(
        &self,
        role: Option<Role>,
        after: Option<UserId>,
        limit: usize,
    ) -> Result<Vec<User>, StoreError>;

    /// Saves an address; `LimitReached` if its owner already has `max_per_user`.
    async fn add_address(&self, address: &Address, max_per_user: usize) -> Result<(), StoreError>;
    /// The user's addresses, oldest first.
    async fn list_addresses(&self, user: UserId) -> Result<Vec<Address>, StoreError>;
    /// Deletes one of the user's addresses; `false` if the user has no such address.
    async fn delete_address(&self, user: UserId, id: AddressId) -> Result<bool, StoreError>;
}
