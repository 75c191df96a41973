//! HTTP API tests: each boots the real app on an ephemeral port with a temp data dir.
// clippy.toml allows unwrap/expect in `#[test]` functions only; the helpers
// here are test code too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod account;
mod addresses;
mod assistant;
mod auth;
mod cart;
mod catalog;
mod checkout;
mod cluster;
mod connections;
mod mail;
mod matrix;
mod memberships;
mod metrics;
mod notifications;
mod platform;
mod postgres;
mod products;
mod rate_limits;
mod restart;
mod scylla;
mod store_move;
mod stripe;
mod users;
mod ws;
mod ws_client;
mod ws_journey;
mod ws_orders;
mod ws_transport;
