//! Rate limits shared by the nodes: GCRA with each client's theoretical
//! arrival time (TAT) in Redis (`{souk}:limit:<limit>:<client>`), checked
//! and advanced by one script on the Redis server's clock, so one round
//! trip counts a request however many nodes the client's requests reach.

use std::time::Duration;

use fred::interfaces::LuaInterface;

use crate::ClusterError;
use crate::redis::{Redis, failed, key};

/// KEYS[1]: the client's TAT. ARGV: the interval and the burst's
/// tolerance, in µs. Returns `{1, µs until the TAT}` when allowed (and
/// advances it), `{0, µs until it would be}` when not.
const GCRA: &str = r#"
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local interval, tolerance = tonumber(ARGV[1]), tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
if tat - now > tolerance then
  return {0, tat - now - tolerance}
end
local next = tat + interval
redis.call('SET', KEYS[1], string.format('%.0f', next), 'PX', math.ceil((next - now) / 1000) + 1)
return {1, next - now}
"#;

/// What the shared limit decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Allowed; the client's allowance is back in full after `full`.
    Allowed { full: Duration },
    /// Refused; the next request fits after `retry`.
    Refused { retry: Duration },
}

/// Rate limits in Redis.
#[derive(Clone)]
pub struct RateLimits {
    redis: Redis,
}

impl RateLimits {
    pub fn new(redis: Redis) -> Self {
        Self { redis }
    }

    /// Counts one request of `client` against `limit`: one per `interval`,
    /// in bursts of up to `burst`.
    pub async fn check(
        &self,
        limit: &str,
        client: &str,
        interval: Duration,
        burst: u32,
    ) -> Result<Verdict, ClusterError> {
        let interval_us = interval.as_micros().max(1);
        let tolerance = interval_us * u128::from(burst.max(1) - 1);
        let reply: Vec<i64> = self
            .redis
            .client()
            .eval(
                GCRA,
                vec![key(&format!("limit:{limit}:{client}"))],
                vec![interval_us.to_string(), tolerance.to_string()],
            )
            .await
            .map_err(failed)?;
        let [allowed, micros] = reply.as_slice() else {
            return Err(ClusterError::Redis(format!(
                "unexpected limit reply {reply:?}"
            )));
        };
        let wait = Duration::from_micros(micros.max(&0).unsigned_abs());
        Ok(if *allowed == 1 {
            Verdict::Allowed { full: wait }
        } else {
            Verdict::Refused { retry: wait }
        })
    }
}
