//! souk's composition root: configuration, storage backends and start-up.

pub mod store;
