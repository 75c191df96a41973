//! The gateway's rate limits, counted in Redis for every node of the
//! cluster ([`souk_cluster::RateLimits`]).

use std::time::Duration;

use souk_cluster::{RateLimits, Verdict};
use souk_gateway::middleware::rate_limit::{Decision, SharedLimits};

pub struct RedisLimits(pub RateLimits);

#[async_trait::async_trait]
impl SharedLimits for RedisLimits {
    async fn check(
        &self,
        limit: &str,
        key: &str,
        interval: Duration,
        burst: u32,
    ) -> Result<Decision, String> {
        let verdict = self
            .0
            .check(limit, key, interval, burst)
            .await
            .map_err(|e| e.to_string())?;
        Ok(match verdict {
            Verdict::Refused { retry } => Decision::Limited {
                retry_after_secs: ceil_secs(retry).max(1),
            },
            Verdict::Allowed { full } => {
                let used = full.as_nanos().div_ceil(interval.as_nanos().max(1));
                Decision::Allowed {
                    limit: burst,
                    remaining: burst.saturating_sub(u32::try_from(used).unwrap_or(u32::MAX)),
                    reset_secs: ceil_secs(full),
                }
            }
        })
    }
}

fn ceil_secs(wait: Duration) -> u64 {
    wait.as_nanos().div_ceil(1_000_000_000) as u64
}
