//! Limits shared by the nodes of a cluster: the same GCRA, with each
//! client's theoretical arrival time kept in a store every node reaches
//! (Redis), so that requests spread over the nodes count against one limit.

use std::time::Duration;

use super::Decision;

/// Keeps the limits' state where every node reaches it.
#[async_trait::async_trait]
pub trait SharedLimits: Send + Sync {
    /// Counts one request of `key` against the limit `limit` (`ip`, `auth`
    /// or `user`): one request per `interval`, in bursts of up to `burst`.
    async fn check(
        &self,
        limit: &str,
        key: &str,
        interval: Duration,
        burst: u32,
    ) -> Result<Decision, String>;
}

/// How long a request waits for the shared limit before its node decides
/// alone.
pub const SHARED_WAIT: Duration = Duration::from_millis(100);
