//! GCRA (the generic cell rate algorithm) over a fixed-size table of clients:
//! memory does not grow with the number of distinct clients, and each check
//! touches one bucket of [`WAYS`] slots under that bucket's lock.

use std::hash::{BuildHasher, Hash, RandomState};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::LimitConfig;

/// Slots per bucket. A client lives in one bucket, chosen by a keyed hash.
pub const WAYS: usize = 8;

/// What a limit decided for one request.
#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    Allowed {
        limit: u32,
        remaining: u32,
        reset_secs: u64,
    },
    Limited {
        retry_after_secs: u64,
    },
}

/// One client's theoretical arrival time (TAT), as nanoseconds since the
/// table's epoch. `tag` 0 is an empty slot.
#[derive(Clone, Copy, Default)]
struct Slot {
    tag: u64,
    tat: u64,
}

/// One GCRA limit over at most `capacity` clients.
///
/// When a bucket is full, a new client takes the slot of the client whose
/// allowance is the most refilled: a client with its whole burst back holds
/// nothing worth keeping, so a full table forgets only clients that are being
/// limited when more distinct clients than it holds are all active at once
/// (counted in `souk_rate_limit_evictions_total`).
pub struct Table {
    interval: Duration,
    burst: u32,
    epoch: Instant,
    hasher: RandomState,
    buckets: Box<[Mutex<[Slot; WAYS]>]>,
    name: &'static str,
}

impl Table {
    /// A table for `limit` holding at least `capacity` clients (rounded up to
    /// whole buckets). `name` labels its metrics.
    pub fn new(limit: &LimitConfig, capacity: usize, name: &'static str) -> Self {
        let per_second = limit.per_second.max(1e-6);
        let buckets = capacity.div_ceil(WAYS).max(1);
        Self {
            interval: Duration::from_secs_f64(1.0 / per_second),
            burst: limit.burst.max(1),
            epoch: Instant::now(),
            hasher: RandomState::new(),
            buckets: (0..buckets)
                .map(|_| Mutex::new([Slot::default(); WAYS]))
                .collect(),
            name,
        }
    }

    /// The time one request uses of the allowance.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Requests allowed at once.
    pub fn burst(&self) -> u32 {
        self.burst
    }

    /// The limit's name (`ip`, `auth`, `user`).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Bytes the table occupies; fixed at construction.
    pub fn memory_bytes(&self) -> usize {
        std::mem::size_of_val(&*self.buckets)
    }

    /// Counts one request of `key` at `now` against the limit.
    pub fn check(&self, key: impl Hash, now: Instant) -> Decision {
        let hash = self.hasher.hash_one(key);
        // Tag 0 marks an empty slot, so a key's tag is never 0.
        let tag = hash | 1;
        let index = ((u128::from(hash) * self.buckets.len() as u128) >> 64) as usize;
        let now_ns = self.nanos(now);
        let interval = self.interval.as_nanos() as u64;
        let tolerance = interval.saturating_mul(u64::from(self.burst - 1));
        let mut bucket = self.buckets[index]
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let slot = match bucket.iter().position(|s| s.tag == tag) {
            Some(found) => found,
            None => self.claim(&mut bucket, now_ns),
        };
        let entry = &mut bucket[slot];
        let tat = if entry.tag == tag {
            entry.tat.max(now_ns)
        } else {
            now_ns
        };
        let ahead = tat - now_ns;
        if ahead > tolerance {
            return Decision::Limited {
                retry_after_secs: ceil_secs(ahead - tolerance),
            };
        }
        let next = tat + interval;
        *entry = Slot { tag, tat: next };
        let used = (next - now_ns).div_ceil(interval.max(1));
        Decision::Allowed {
            limit: self.burst,
            remaining: self
                .burst
                .saturating_sub(u32::try_from(used).unwrap_or(u32::MAX)),
            reset_secs: ceil_secs(next - now_ns),
        }
    }

    /// The slot a new client takes: an empty one, else the one whose
    /// allowance is the most refilled (smallest TAT). Leaves its tag as it
    /// was: [`check`](Self::check) writes the slot only if it allows.
    fn claim(&self, bucket: &mut [Slot; WAYS], now_ns: u64) -> usize {
        let mut victim = 0;
        for (i, slot) in bucket.iter().enumerate() {
            if slot.tag == 0 {
                return i;
            }
            if slot.tat < bucket[victim].tat {
                victim = i;
            }
        }
        if bucket[victim].tat > now_ns {
            metrics::counter!("souk_rate_limit_evictions_total", "limit" => self.name).increment(1);
        }
        victim
    }

    fn nanos(&self, now: Instant) -> u64 {
        u64::try_from(now.saturating_duration_since(self.epoch).as_nanos()).unwrap_or(u64::MAX)
    }
}

fn ceil_secs(nanos: u64) -> u64 {
    nanos.div_ceil(1_000_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(per_second: f64, burst: u32, capacity: usize) -> Table {
        Table::new(&LimitConfig { per_second, burst }, capacity, "test")
    }

    fn remaining(decision: Decision) -> u32 {
        match decision {
            Decision::Allowed { remaining, .. } => remaining,
            Decision::Limited { .. } => panic!("expected the request to be allowed"),
        }
    }

    #[test]
    fn allows_a_burst_then_refuses_until_refilled() {
        let limit = table(1.0, 3, 1024);
        let t0 = Instant::now();
        for expected in [2, 1, 0] {
            assert_eq!(remaining(limit.check("ip", t0)), expected);
        }
        assert_eq!(
            limit.check("ip", t0),
            Decision::Limited {
                retry_after_secs: 1
            }
        );
        // Other keys are independent.
        assert_eq!(remaining(limit.check("other", t0)), 2);
        // One interval later, exactly one more request fits.
        let t1 = t0 + Duration::from_secs(1);
        assert!(matches!(limit.check("ip", t1), Decision::Allowed { .. }));
        assert!(matches!(limit.check("ip", t1), Decision::Limited { .. }));
    }

    #[test]
    fn memory_is_fixed_whatever_the_number_of_clients() {
        let limit = table(10.0, 5, 4096);
        let before = limit.memory_bytes();
        let now = Instant::now();
        for client in 0..100_000u32 {
            let _ = limit.check(client, now);
        }
        assert_eq!(limit.memory_bytes(), before);
        assert!(before < 4096 * 24, "{before} bytes for 4096 clients");
    }

    #[test]
    fn a_full_table_forgets_refilled_clients_before_limited_ones() {
        // One bucket, so every client competes for the same slots.
        let limit = table(1.0, 1, WAYS);
        let t0 = Instant::now();
        for client in 0..WAYS as u32 - 1 {
            let _ = limit.check(client, t0);
        }
        let t1 = t0 + Duration::from_secs(1);
        assert!(matches!(
            limit.check("abuser", t1),
            Decision::Allowed { .. }
        ));
        assert!(matches!(
            limit.check("abuser", t1),
            Decision::Limited { .. }
        ));
        // The quiet clients have their allowance back: newcomers take their
        // slots, and the abuser stays limited.
        for newcomer in 1000..1000 + WAYS as u32 - 1 {
            assert!(matches!(
                limit.check(newcomer, t1),
                Decision::Allowed { .. }
            ));
        }
        assert!(matches!(
            limit.check("abuser", t1),
            Decision::Limited { .. }
        ));
        // One more newcomer must evict someone still limited: the table stays
        // within its size and the newcomer is served.
        assert!(matches!(limit.check("late", t1), Decision::Allowed { .. }));
    }
}
