//! souk's composition root: configuration, wiring of the storage backend, demo
//! data and start-up. The `souk` binary is a thin command line over this library.

pub mod admin;
pub mod assistant_start;
pub mod cluster;
pub mod config;
pub mod demo;
pub mod limits;
pub mod live;
mod payments;
pub mod startup;
pub mod store;
pub mod store_copy;
mod store_dir;
pub mod telemetry;

pub use config::Config;
pub use startup::Application;
