//! souk's live state and the storage ports it needs.
//!
//! `store` defines what a storage backend must provide (ports), with an
//! in-memory implementation for tests; the backends (embedded, PostgreSQL,
//! ScyllaDB) are crates of their own under `stores/`. `catalog` is the
//! in-memory read model of products, categories and stock that serves
//! browsing and search.
//! `inventory` holds the ractor shards that own stock (see `shards`); `cart` the
//! shoppers' carts, one actor each hosted by a fixed set of ractor hosts;
//! `order` one virtual actor per open order (see `directory`); `checkout` the
//! lanes and their dispatcher; `events` the live topics.
//! In a cluster each shard, cart host, order partition and the dispatcher
//! runs on one node by lease, and `remote` reaches those on other nodes.

pub mod cart;
pub mod catalog;
pub mod checkout;
mod directory;
pub mod events;
pub mod inbox;
pub mod inventory;
pub mod mail;
mod mailbox;
pub mod order;
pub mod payments;
pub mod remote;
mod shards;
pub mod store;

pub use cart::{CartError, CartHandle, LineChange};
pub use catalog::{Catalog, CatalogError, CatalogFeed, NewProduct, ProductEntry, ProductPatch};
pub use checkout::{
    CheckoutConfig, CheckoutError, CheckoutHandle, CheckoutOutcome, CheckoutParts, LaneConfig,
    LaneSettings,
};
pub use directory::Passivation;
pub use events::{EventBus, Topic};
pub use inventory::{InventoryError, InventoryHandle, InventorySupervisor, Settlement};
pub use mailbox::Pending;
pub use order::{
    NewOrder, OrderError, OrderFilter, OrderHandle, OrderPage, PartRefund, PlacedOrder,
    ReturnDecision, ReturnRequest,
};
pub use payments::{PaymentProvider, SandboxPayments};
pub use remote::{Placement, Route};
pub use store::{Store, StoreError};
