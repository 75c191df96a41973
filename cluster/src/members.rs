//! Membership: each node keeps a record of itself in Redis that expires
//! unless it is renewed, so the live nodes are the records that exist.

use std::collections::BTreeMap;
use std::time::Duration;

use fred::interfaces::LuaInterface;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ClusterError;
use crate::redis::{Redis, failed, key};

/// KEYS: the member's record, the set of members. ARGV: id, record, ms,
/// incarnation. Refuses (0) while a record of the same id from another
/// incarnation is still alive.
const BEAT: &str = r"
local held = redis.call('GET', KEYS[1])
if held then
  local ok, record = pcall(cjson.decode, held)
  if ok and record.incarnation ~= ARGV[4] then
    return {0, redis.call('PTTL', KEYS[1])}
  end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('SADD', KEYS[2], ARGV[1])
return {1, 0}
";

/// KEYS: the set of members. Returns the live records and forgets the ids
/// whose record expired.
const LIST: &str = r"
local ids = redis.call('SMEMBERS', KEYS[1])
local out = {}
for _, id in ipairs(ids) do
  local record = redis.call('GET', KEYS[2] .. id)
  if record then
    table.insert(out, record)
  else
    redis.call('SREM', KEYS[1], id)
  end
end
return out
";

/// KEYS: the member's record, the set. ARGV: id, incarnation.
const LEAVE: &str = r"
local held = redis.call('GET', KEYS[1])
if held then
  local ok, record = pcall(cjson.decode, held)
  if ok and record.incarnation == ARGV[2] then
    redis.call('DEL', KEYS[1])
    redis.call('SREM', KEYS[2], ARGV[1])
    return 1
  end
end
return 0
";

/// What a node says of itself at each heartbeat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    /// The node's id (`cluster.node_id`), stable across restarts.
    pub id: String,
    /// Differs at every start of the process: two processes with one id
    /// are never members at once.
    pub incarnation: String,
    /// Where other nodes reach it (`cluster.advertise`).
    pub advertise: String,
    /// The souk version it runs.
    pub version: String,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub seen_at: OffsetDateTime,
    /// Load figures by name (live actors by kind, WebSocket connections…).
    pub load: BTreeMap<String, u64>,
    /// The leases it holds.
    pub owns: Vec<String>,
}

impl Member {
    /// The name its leases are held under.
    pub fn holder(&self) -> String {
        format!("{}/{}", self.id, self.incarnation)
    }
}

/// The outcome of a heartbeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Beat {
    /// Recorded, alive for another record time.
    Recorded,
    /// Another process with this id is alive, for about this much longer.
    IdInUse(Duration),
}

/// The members' records in Redis.
#[derive(Clone)]
pub struct Membership {
    redis: Redis,
    /// How long a record lives without a heartbeat.
    ttl: Duration,
}

impl Membership {
    pub fn new(redis: Redis, ttl: Duration) -> Self {
        Self { redis, ttl }
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Records `member` as alive for the record time.
    pub async fn beat(&self, member: &Member) -> Result<Beat, ClusterError> {
        let record =
            serde_json::to_string(member).map_err(|e| ClusterError::Redis(e.to_string()))?;
        let reply: Vec<i64> = self
            .redis
            .client()
            .eval(
                BEAT,
                vec![key(&format!("node:{}", member.id)), key("nodes")],
                vec![
                    member.id.clone(),
                    record,
                    self.ttl.as_millis().to_string(),
                    member.incarnation.clone(),
                ],
            )
            .await
            .map_err(failed)?;
        match reply.as_slice() {
            [1, _] => Ok(Beat::Recorded),
            [0, ms] => Ok(Beat::IdInUse(Duration::from_millis(
                ms.max(&0).unsigned_abs(),
            ))),
            other => Err(ClusterError::Redis(format!(
                "unexpected heartbeat reply {other:?}"
            ))),
        }
    }

    /// The live members, by id.
    pub async fn list(&self) -> Result<Vec<Member>, ClusterError> {
        let records: Vec<String> = self
            .redis
            .client()
            .eval(LIST, vec![key("nodes"), key("node:")], Vec::<String>::new())
            .await
            .map_err(failed)?;
        let mut members: Vec<Member> = records
            .iter()
            .filter_map(|r| match serde_json::from_str(r) {
                Ok(m) => Some(m),
                Err(e) => {
                    tracing::warn!(error = %e, "skipping an unreadable member record");
                    None
                }
            })
            .collect();
        members.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(members)
    }

    /// Removes `member`'s record at once (a clean shutdown), if it is still
    /// this incarnation's.
    pub async fn leave(&self, member: &Member) -> Result<(), ClusterError> {
        let _: i64 = self
            .redis
            .client()
            .eval(
                LEAVE,
                vec![key(&format!("node:{}", member.id)), key("nodes")],
                vec![member.id.clone(), member.incarnation.clone()],
            )
            .await
            .map_err(failed)?;
        Ok(())
    }
}
