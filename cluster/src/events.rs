//! Live events across nodes, through Redis. Every node publishes its events
//! here and listens to everyone's on one channel (`{souk}:events`).
//!
//! An event arrives as JSON text: the publisher's `body` (an object) with
//! `seq` and `generation` put in front. An event published with a seq of its
//! own (an order timeline's) is only broadcast. Any other is numbered here,
//! by one counter per topic (`{souk}:events:seq:<topic>`, with the
//! generation: the Redis server's time when the counter started), and kept
//! in a stream per topic (`{souk}:events:log:<topic>`, the last `retain`
//! events) for nodes that missed some; both expire after the topic's idle
//! time. Numbering, keeping and broadcasting are one script, so the order
//! of a topic's numbers is the order every node receives them in.

use std::time::Duration;

use fred::interfaces::LuaInterface;

use crate::ClusterError;
use crate::redis::{Redis, Subscription, failed, key};

/// The channel every node listens to.
const CHANNEL: &str = "events";

/// Numbers (unless numbered), keeps and broadcasts a batch of events.
/// KEYS: the counter and the stream of each event's topic. ARGV: the
/// channel, then five per event: `1` if it has its own seq, that seq, the
/// idle time in ms, how many to keep, and the body.
const PUBLISH: &str = r#"
local channel = ARGV[1]
local time = redis.call('TIME')
local now = time[1] .. string.format('%06d', tonumber(time[2]))
local count = (#ARGV - 1) / 5
for i = 0, count - 1 do
  local a = 2 + i * 5
  local seq, generation, body = ARGV[a + 1], '0', ARGV[a + 4]
  if ARGV[a] == '0' then
    local counter, stream, idle = KEYS[i * 2 + 1], KEYS[i * 2 + 2], ARGV[a + 2]
    generation = redis.call('HGET', counter, 'generation')
    if not generation then
      generation = now
      redis.call('HSET', counter, 'generation', generation)
    end
    seq = tostring(redis.call('HINCRBY', counter, 'seq', 1))
    redis.call('PEXPIRE', counter, idle)
    redis.call('XADD', stream, 'MAXLEN', '~', ARGV[a + 3], '*',
      'seq', seq, 'generation', generation, 'body', body)
    redis.call('PEXPIRE', stream, idle)
  end
  redis.call('PUBLISH', channel,
    '{"seq":' .. seq .. ',"generation":' .. generation .. ',' .. string.sub(body, 2))
end
return count
"#;

/// A topic's kept events, oldest first, as they were broadcast.
const HISTORY: &str = r#"
local out = {}
for _, entry in ipairs(redis.call('XRANGE', KEYS[1], '-', '+')) do
  local f = {}
  for i = 1, #entry[2], 2 do f[entry[2][i]] = entry[2][i + 1] end
  out[#out + 1] = '{"seq":' .. f.seq .. ',"generation":' .. f.generation .. ','
    .. string.sub(f.body, 2)
end
return out
"#;

/// One event to publish.
#[derive(Debug, Clone)]
pub struct Outbound {
    /// The topic's full name, e.g. `user:<uuid>`.
    pub topic: String,
    /// Its own seq (an order timeline's), or `None` to be numbered.
    pub seq: Option<u64>,
    /// How long its topic's counter and kept events outlive its last event.
    pub idle: Duration,
    /// A JSON object without `seq` and `generation`.
    pub body: String,
}

/// Publishes and receives live events through Redis.
#[derive(Clone)]
pub struct EventLog {
    redis: Redis,
    /// Events kept per topic.
    retain: usize,
}

impl EventLog {
    pub fn new(redis: Redis, retain: usize) -> Self {
        Self {
            redis,
            retain: retain.max(1),
        }
    }

    /// Numbers, keeps and broadcasts `events` in order, in one round trip.
    pub async fn publish(&self, events: &[Outbound]) -> Result<(), ClusterError> {
        if events.is_empty() {
            return Ok(());
        }
        let mut keys = Vec::with_capacity(events.len() * 2);
        let mut args = Vec::with_capacity(1 + events.len() * 5);
        args.push(key(CHANNEL));
        for event in events {
            keys.push(key(&format!("events:seq:{}", event.topic)));
            keys.push(key(&format!("events:log:{}", event.topic)));
            let (numbered, seq) = match event.seq {
                Some(seq) => ("1", seq.to_string()),
                None => ("0", String::new()),
            };
            args.push(numbered.to_owned());
            args.push(seq);
            args.push(event.idle.as_millis().max(1).to_string());
            args.push(self.retain.to_string());
            args.push(event.body.clone());
        }
        let _: i64 = self
            .redis
            .client()
            .eval(PUBLISH, keys, args)
            .await
            .map_err(failed)?;
        Ok(())
    }

    /// The events kept for `topic`, oldest first, as broadcast.
    pub async fn history(&self, topic: &str) -> Result<Vec<String>, ClusterError> {
        self.redis
            .client()
            .eval(
                HISTORY,
                vec![key(&format!("events:log:{topic}"))],
                Vec::<String>::new(),
            )
            .await
            .map_err(failed)
    }

    /// Every event published from now on, by any node.
    pub async fn subscribe(&self) -> Result<Subscription, ClusterError> {
        self.redis.subscribe(CHANNEL).await
    }
}
