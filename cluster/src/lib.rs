//! Cluster coordination over Redis (fred): which nodes are alive, and which
//! node holds each piece of work, with a fencing epoch per grant.
//!
//! The store stays the source of truth: Redis holds only what can be rebuilt
//! (heartbeats, leases, epochs that only grow even if Redis restarts empty),
//! so losing it stops new placements for a while and loses no data.

mod events;
mod leases;
mod limits;
mod members;
mod placement;
mod redis;
#[cfg(feature = "testing")]
pub mod testing;

pub use events::{EventLog, Outbound};
pub use leases::{Grant, Holder, Lease, Leases};
pub use limits::{RateLimits, Verdict};
pub use members::{Beat, Member, Membership};
pub use placement::{Changes, Placer, Work, pick};
pub use redis::{Redis, SCHEMES, Subscription};

/// Why a cluster operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClusterError {
    /// The settings are unusable (e.g. not a Redis URL).
    #[error("{0}")]
    Config(String),
    /// Redis did not answer when first connecting.
    #[error("cannot reach Redis at {0}")]
    Unreachable(String),
    /// A command failed or timed out.
    #[error("Redis: {0}")]
    Redis(String),
}
