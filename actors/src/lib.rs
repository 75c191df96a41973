//! souk's live state and the storage ports it needs.
//!
//! `store` defines what a storage backend must provide (ports), with an
//! in-memory implementation for tests; the embedded redb store is the durable
//! one (PostgreSQL and ScyllaDB backends are planned, not built). `catalog` is
//! the in-memory read model of products, categories and stock that serves
//! browsing and search.
//! `inventory` holds the ractor shards that own stock (see `shards`); `cart` the
//! shoppers' carts, one actor each hosted by a fixed set of ractor hosts;
//! `order` one virtual actor per open order (see `directory`).

pub mod cart;
pub mod catalog;
pub mod checkout;
mod directory;
pub mod events;
pub mod inventory;
mod mailbox;
pub mod order;
pub mod payments;
mod shards;
pub mod store;

pub use cart::{CartError, CartHandle, LineChange};
pub use catalog::{Catalog, CatalogError, CatalogFeed, NewProduct, ProductEntry, ProductPatch};
pub use checkout::{
    CheckoutConfig, CheckoutError, CheckoutHandle, CheckoutOutcome, LaneConfig, LaneSettings,
};
pub use directory::Passivation;
pub use events::{EventBus, Topic};
pub use inventory::{InventoryError, InventoryHandle, InventorySupervisor, Settlement};
pub use mailbox::Pending;
pub use order::{NewOrder, OrderError, OrderHandle, PlacedOrder};
pub use payments::{PaymentProvider, SandboxPayments};
pub use store::{Store, StoreError};
