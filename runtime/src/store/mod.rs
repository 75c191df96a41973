//! Storage backends (adapters) for the ports in `souk_actors::store`.

pub mod embedded;

pub use embedded::EmbeddedStore;
