//! Storage ports: what the actors and services need from a backend.
//!
//! Every backend implements [`Store`] and passes the shared [`conformance`]
//! suite: the embedded store (one node) and PostgreSQL (shared by nodes); a
//! ScyllaDB backend is planned. A method that returns `Ok` has made its
//! write durable.

mod account_tokens;
mod carts;
mod catalog;
#[cfg(feature = "conformance")]
pub mod conformance;
pub mod copy;
mod fence;
mod inventory;
#[cfg(any(test, feature = "test-util"))]
mod memory;
mod notifications;
mod orders;
mod outbox;
mod tickets;
mod tokens;
mod users;
mod vectors;

pub use account_tokens::{AccountToken, AccountTokenStore, TokenPurpose};
pub use carts::CartStore;
pub use catalog::CatalogStore;
pub use copy::CopyStore;
pub use fence::{Fence, Fencing};
pub use inventory::{Hold, InventoryChange, InventoryStore, Sale};
#[cfg(any(test, feature = "test-util"))]
pub use memory::MemoryStore;
pub use notifications::NotificationStore;
pub use orders::OrderStore;
pub use outbox::{MailAbout, MailState, OutboxMail, OutboxStore};
pub use tickets::TicketStore;
pub use tokens::{RefreshToken, Rotation, TokenStore};
pub use users::UserStore;
pub use vectors::{ProductVector, VectorStore};

/// Why a storage operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum StoreError {
    /// A uniqueness rule would be broken (e.g. an email already registered).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The record to change does not exist.
    #[error("not found")]
    NotFound,
    /// A per-owner bound would be exceeded (e.g. too many addresses).
    #[error("limit reached: {0}")]
    LimitReached(String),
    /// The backend could not be reached or failed to commit; nothing was written.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// Stored bytes could not be decoded.
    #[error("corrupt record: {0}")]
    Corrupt(String),
    /// A fenced write was refused: a newer owner of the state has written
    /// (see [`Fence`]). Nothing was written.
    #[error("fenced: {0}")]
    Fenced(String),
}

/// Small key/value settings the runtime keeps with the data (e.g. whether the demo
/// catalog was seeded).
#[async_trait::async_trait]
pub trait MetaStore: Send + Sync {
    async fn get_meta(&self, key: &str) -> Result<Option<String>, StoreError>;
    async fn put_meta(&self, key: &str, value: &str) -> Result<(), StoreError>;
    /// Whether the store takes writes now. A backend that stops taking them
    /// after a failure until it is restarted (the embedded store after a
    /// failed journal write) answers `Err` saying so, so readiness can.
    async fn check_writable(&self) -> Result<(), StoreError> {
        Ok(())
    }
}

/// Everything a backend provides. Implemented automatically for any type that
/// implements each part.
pub trait Store:
    UserStore
    + TokenStore
    + AccountTokenStore
    + CatalogStore
    + InventoryStore
    + CartStore
    + OrderStore
    + OutboxStore
    + NotificationStore
    + TicketStore
    + MetaStore
    + VectorStore
    + Fencing
    + CopyStore
    + 'static
{
}

impl<T> Store for T where
    T: UserStore
        + TokenStore
        + AccountTokenStore
        + CatalogStore
        + InventoryStore
        + CartStore
        + OrderStore
        + OutboxStore
        + NotificationStore
        + TicketStore
        + MetaStore
        + VectorStore
        + Fencing
        + CopyStore
        + 'static
{
}
