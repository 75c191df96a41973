//! A cluster of real `souk` processes: three nodes over a fresh PostgreSQL
//! database and a `redis-server` of the test's own, driven over HTTP and
//! WebSocket, and broken from outside (`kill -9`, `SIGSTOP`, a Redis
//! restart). Each test prints `skipped: …` where PostgreSQL or
//! `redis-server` cannot be had (and fails under `SOUK_REQUIRE_SERVICES=1`).
// Test code: clippy.toml allows unwrap/expect in `#[test]` fns only, not in helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../support/souk_process.rs"]
mod souk_process;

mod failures;
mod http;
mod live;
mod nodes;
mod sale;
mod selling;
