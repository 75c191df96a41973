//! Events across the nodes of a cluster. A node's bus hands each event it
//! publishes to a [`Relay`], which sends it to every node (through Redis)
//! without waiting; every node, the publisher included, then takes it in
//! with [`super::EventBus::receive`].
//!
//! An order topic keeps its timeline's seq, and its publisher delivers it
//! at once to its own subscribers. Every other topic is numbered by the
//! relay, one counter per topic for the whole cluster, so that its `seq`
//! means the same on every node; its subscribers get it when it comes back.
//! Each numbering has a *generation*: when the counter starts again (Redis
//! lost it, or the topic was idle long enough to be forgotten), nodes start
//! the topic afresh, as one node does after a restart.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use souk_models::{OrderId, Timestamp, UserId};
use uuid::Uuid;

use super::Topic;

/// Sends a node's events to every node.
#[async_trait::async_trait]
pub trait Relay: Send + Sync {
    /// Queues `event` for every node, the publisher included; never waits.
    fn send(&self, event: Outgoing);
    /// The events the relay keeps of `topic` (a full name, [`Topic::key`]),
    /// oldest first; none for order topics.
    async fn kept(&self, topic: &str) -> Result<Vec<Incoming>, String>;
}

/// An event on its way to the other nodes.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub topic: Topic,
    /// The order timeline's seq; `None` for the relay to number it.
    pub seq: Option<u64>,
    pub kind: &'static str,
    pub data: Box<RawValue>,
    pub at: Timestamp,
}

/// An event as it arrives from the relay.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Incoming {
    /// The topic's full name ([`Topic::key`]).
    pub topic: String,
    pub seq: u64,
    /// The numbering's generation (0 for order topics).
    #[serde(default)]
    pub generation: u64,
    pub kind: String,
    pub data: Box<RawValue>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: Timestamp,
    /// The node that published it.
    pub node: String,
}

impl Topic {
    /// The topic's full name, the same on every node: `order:{id}`,
    /// `checkout:{ticket}`, `user:{id}`, `seller:{id}` or `admin:live`
    /// (unlike its display, which says `user:me`).
    pub fn key(&self) -> String {
        match self {
            Topic::User(id) => format!("user:{id}"),
            Topic::Seller(id) => format!("seller:{id}"),
            other => other.to_string(),
        }
    }

    /// A topic from its full name.
    pub fn from_key(key: &str) -> Option<Topic> {
        let (kind, id) = key.split_once(':')?;
        let uuid = || Uuid::parse_str(id).ok();
        match kind {
            "order" => Some(Topic::Order(OrderId(uuid()?))),
            "checkout" => Some(Topic::Checkout(uuid()?)),
            "user" => Some(Topic::User(UserId(uuid()?))),
            "seller" => Some(Topic::Seller(UserId(uuid()?))),
            "admin" if id == "live" => Some(Topic::AdminLive),
            _ => None,
        }
    }
}

/// Kinds of events are few and named in code; those that arrive from other
/// nodes are kept once each (at most [`KINDS`], beyond which they read
/// `event`).
const KINDS: usize = 256;

pub(crate) fn kind_of(name: &str) -> &'static str {
    static SEEN: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut seen = SEEN
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if let Some(kind) = seen.get(name) {
        return kind;
    }
    if seen.len() >= KINDS {
        return "event";
    }
    let kind: &'static str = Box::leak(name.to_owned().into_boxed_str());
    seen.insert(kind);
    kind
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_round_trip_through_their_full_names() {
        let user = UserId(Uuid::now_v7());
        for topic in [
            Topic::Order(OrderId(Uuid::now_v7())),
            Topic::Checkout(Uuid::now_v7()),
            Topic::User(user),
            Topic::Seller(user),
            Topic::AdminLive,
        ] {
            assert_eq!(Topic::from_key(&topic.key()), Some(topic));
        }
        assert_eq!(Topic::User(user).key(), format!("user:{user}"));
        assert_eq!(Topic::from_key("user:me"), None);
        assert_eq!(Topic::from_key("admin:other"), None);
    }

    #[test]
    fn an_arriving_kind_is_kept_once() {
        let first = kind_of("shipped-from-elsewhere");
        let again = kind_of(&String::from("shipped-from-elsewhere"));
        assert!(std::ptr::eq(first, again));
    }
}
