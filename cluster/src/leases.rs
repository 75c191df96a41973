//! Leases: one holder at a time for a named piece of work (an inventory
//! shard, the checkout dispatcher…), each grant with a fencing epoch.
//!
//! A lease is a Redis key holding `holder epoch`, set to expire after the
//! lease time. Granting, renewing and releasing are Lua scripts, so each is
//! one atomic step on the server. Epochs only grow: a grant takes the larger
//! of the last epoch granted for that name plus one and the server's clock
//! in microseconds, so they keep growing even if Redis restarts empty.
//!
//! The holder counts its lease as valid until nine tenths of the lease time
//! after it *sent* the grant or renewal: Redis starts the expiry later than
//! that, so the holder stops believing in its lease before Redis can give
//! it to anyone else, as long as the two clocks run at rates within 10 % of
//! each other. What protects the data even when that fails (a process paused
//! past its lease) is the epoch: stores refuse writes under an older epoch.

use std::time::Duration;

use fred::interfaces::LuaInterface;
use fred::prelude::Value;
use tokio::time::Instant;

use crate::ClusterError;
use crate::redis::{Redis, failed, key};

const GRANT: &str = r"
local held = redis.call('GET', KEYS[1])
if held then
  local holder, epoch = string.match(held, '^(.*) (%d+)$')
  if holder == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return {1, holder, epoch, tonumber(ARGV[2])}
  end
  return {0, holder or '', epoch or '0', redis.call('PTTL', KEYS[1])}
end
local now = redis.call('TIME')
local micros = tonumber(now[1]) * 1000000 + tonumber(now[2])
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
local epoch = string.format('%.0f', math.max(last + 1, micros))
redis.call('SET', KEYS[2], epoch)
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. epoch, 'PX', ARGV[2])
return {1, ARGV[1], epoch, tonumber(ARGV[2])}
";

/// ARGV: holder, lease ms, then one epoch per key.
const RENEW: &str = r"
local out = {}
for i, k in ipairs(KEYS) do
  if redis.call('GET', k) == ARGV[1] .. ' ' .. ARGV[i + 2] then
    redis.call('PEXPIRE', k, ARGV[2])
    out[i] = 1
  else
    out[i] = 0
  end
end
return out
";

/// ARGV: holder, then one epoch per key.
const RELEASE: &str = r"
local out = {}
for i, k in ipairs(KEYS) do
  if redis.call('GET', k) == ARGV[1] .. ' ' .. ARGV[i + 1] then
    redis.call('DEL', k)
    out[i] = 1
  else
    out[i] = 0
  end
end
return out
";

/// A lease this process holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub name: String,
    pub epoch: u64,
    /// Until when this process may act on it, by its own clock.
    pub valid_until: Instant,
}

impl Lease {
    pub fn is_valid(&self) -> bool {
        Instant::now() < self.valid_until
    }
}

/// Who holds a lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// The holder's name (a node's `id/incarnation`).
    pub holder: String,
    pub epoch: u64,
}

/// The answer to a request for a lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    /// Granted (or, if this holder had it already, extended with its epoch).
    Granted(Lease),
    /// Someone else holds it, for about `expires_in` more.
    Taken { by: Holder, expires_in: Duration },
}

/// Leases taken in one holder's name.
#[derive(Clone)]
pub struct Leases {
    redis: Redis,
    holder: String,
    ttl: Duration,
}

impl Leases {
    /// `holder` names this process (it must stay the same while it runs and
    /// differ between processes); `ttl` is how long a lease lasts unrenewed.
    pub fn new(redis: Redis, holder: impl Into<String>, ttl: Duration) -> Self {
        Self {
            redis,
            holder: holder.into(),
            ttl,
        }
    }

    pub fn holder(&self) -> &str {
        &self.holder
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    fn valid_from(&self, sent: Instant) -> Instant {
        sent + self.ttl.mul_f64(0.9)
    }

    fn ttl_ms(&self) -> String {
        self.ttl.as_millis().to_string()
    }

    /// Asks for the lease `name`.
    pub async fn acquire(&self, name: &str) -> Result<Grant, ClusterError> {
        let sent = Instant::now();
        let reply: Vec<Value> = self
            .redis
            .client()
            .eval(
                GRANT,
                vec![key(&format!("lease:{name}")), key(&format!("epoch:{name}"))],
                vec![self.holder.clone(), self.ttl_ms()],
            )
            .await
            .map_err(failed)?;
        let [granted, holder, epoch, ms] = reply.as_slice() else {
            return Err(ClusterError::Redis(format!(
                "unexpected lease reply {reply:?}"
            )));
        };
        let epoch = epoch_of(epoch)?;
        if granted.as_i64() == Some(1) {
            return Ok(Grant::Granted(Lease {
                name: name.to_owned(),
                epoch,
                valid_until: self.valid_from(sent),
            }));
        }
        Ok(Grant::Taken {
            by: Holder {
                holder: holder.as_string().unwrap_or_default(),
                epoch,
            },
            expires_in: Duration::from_millis(ms.as_i64().unwrap_or(0).max(0).unsigned_abs()),
        })
    }

    /// Renews `leases` in one round trip. Each comes back renewed, or `None`
    /// if it was lost (expired, and perhaps granted to someone else).
    pub async fn renew(&self, leases: &[Lease]) -> Result<Vec<Option<Lease>>, ClusterError> {
        if leases.is_empty() {
            return Ok(Vec::new());
        }
        let sent = Instant::now();
        let mut args = vec![self.holder.clone(), self.ttl_ms()];
        args.extend(leases.iter().map(|l| l.epoch.to_string()));
        let kept = self.each(RENEW, leases, args).await?;
        let valid_until = self.valid_from(sent);
        Ok(leases
            .iter()
            .zip(kept)
            .map(|(lease, kept)| {
                kept.then(|| Lease {
                    valid_until,
                    ..lease.clone()
                })
            })
            .collect())
    }

    /// Gives `leases` back, so others may take them at once. Returns how
    /// many were still held.
    pub async fn release(&self, leases: &[Lease]) -> Result<usize, ClusterError> {
        if leases.is_empty() {
            return Ok(0);
        }
        let mut args = vec![self.holder.clone()];
        args.extend(leases.iter().map(|l| l.epoch.to_string()));
        let released = self.each(RELEASE, leases, args).await?;
        Ok(released.into_iter().filter(|r| *r).count())
    }

    async fn each(
        &self,
        script: &str,
        leases: &[Lease],
        args: Vec<String>,
    ) -> Result<Vec<bool>, ClusterError> {
        let keys: Vec<String> = leases
            .iter()
            .map(|l| key(&format!("lease:{}", l.name)))
            .collect();
        let reply: Vec<i64> = self
            .redis
            .client()
            .eval(script.to_owned(), keys, args)
            .await
            .map_err(failed)?;
        if reply.len() != leases.len() {
            return Err(ClusterError::Redis(format!(
                "{} answers for {} leases",
                reply.len(),
                leases.len()
            )));
        }
        Ok(reply.into_iter().map(|r| r == 1).collect())
    }

    /// Who holds each of `names` now.
    pub async fn holders(&self, names: &[String]) -> Result<Vec<Option<Holder>>, ClusterError> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<String> = names.iter().map(|n| key(&format!("lease:{n}"))).collect();
        let values: Vec<Option<String>> =
            fred::interfaces::KeysInterface::mget(self.redis.client(), keys)
                .await
                .map_err(failed)?;
        Ok(values
            .into_iter()
            .map(|v| {
                let v = v?;
                let (holder, epoch) = v.rsplit_once(' ')?;
                Some(Holder {
                    holder: holder.to_owned(),
                    epoch: epoch.parse().ok()?,
                })
            })
            .collect())
    }
}

fn epoch_of(value: &Value) -> Result<u64, ClusterError> {
    value
        .as_string()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| ClusterError::Redis(format!("not an epoch: {value:?}")))
}
