//! `EventBus`: topics, their subscribers and their recent events, in stripes
//! so publishers on different topics rarely meet on a lock.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::value::RawValue;
use souk_models::Timestamp;
use time::OffsetDateTime;

use super::relay::{Incoming, Outgoing, Relay, kind_of};
use super::{Event, Sink, Stats, Topic, json_text};

const STRIPES: usize = 64;

/// How much of each topic's past is kept for clients that reconnect.
#[derive(Debug, Clone, Copy)]
pub struct RetentionConfig {
    /// Recent events kept per topic (order topics replay from the store).
    pub events: usize,
    /// A topic nobody follows is forgotten after this long without events.
    pub idle: Duration,
    /// The same for a checkout ticket's topic: one per checkout adds up
    /// fast, and a finished ticket's outcome is in the store (a subscriber
    /// gets it from there once the topic is gone).
    pub checkout_idle: Duration,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        Self {
            events: 256,
            idle: Duration::from_secs(600),
            checkout_idle: Duration::from_secs(10),
        }
    }
}

struct Channel {
    /// The last seq given out.
    last: u64,
    /// In a cluster: the generation of the topic's numbering.
    generation: u64,
    recent: VecDeque<Arc<Event>>,
    subscribers: Vec<(u64, Sink)>,
    touched: Instant,
}

impl Channel {
    fn new() -> Self {
        Self {
            last: 0,
            generation: 0,
            recent: VecDeque::new(),
            subscribers: Vec::new(),
            touched: Instant::now(),
        }
    }
}

/// A registered subscriber; give it back to [`EventBus::unsubscribe`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subscription {
    pub id: u64,
    pub topic: Topic,
}

/// What a subscriber asking for events after `since` missed.
#[derive(Debug)]
pub enum Replay {
    /// These, oldest first (none when nothing was missed or `since` was not given).
    Events(Vec<Arc<Event>>),
    /// The window no longer covers `since`: refetch by REST. `oldest` is the
    /// oldest seq still held, if any; `latest` the last seq published.
    Gap { oldest: Option<u64>, latest: u64 },
}

#[derive(Clone)]
pub struct EventBus {
    inner: Arc<Inner>,
}

struct Inner {
    stripes: Vec<Mutex<HashMap<Topic, Channel>>>,
    next_id: AtomicU64,
    retention: RetentionConfig,
    stats: Stats,
    /// In a cluster: sends events to every node.
    relay: OnceLock<Arc<dyn Relay>>,
    /// Keeps events beyond their retention (the notification inbox).
    keeper: OnceLock<Arc<dyn Keeper>>,
}

/// Keeps what is published, on the node that publishes it (a relayed copy
/// is not kept again): the notification inbox.
pub trait Keeper: Send + Sync {
    fn keep(&self, topic: &Topic, kind: &str, data: &RawValue, at: Timestamp);
}

/// What [`EventBus::receive`] did with an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    /// Delivered (or nobody follows its topic here).
    Taken,
    /// Already held, or from an older numbering: dropped.
    Stale,
    /// Events between `after` and it were not received: take those first.
    Missing { after: u64 },
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new(RetentionConfig::default())
    }
}

impl EventBus {
    /// Running totals for the admin summary.
    pub fn stats(&self) -> &Stats {
        &self.inner.stats
    }

    pub fn new(retention: RetentionConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                stripes: (0..STRIPES).map(|_| Mutex::new(HashMap::new())).collect(),
                next_id: AtomicU64::new(1),
                retention,
                stats: Stats::default(),
                relay: OnceLock::new(),
                keeper: OnceLock::new(),
            }),
        }
    }

    /// Sends every event published from now on through `relay` (set once,
    /// by the cluster): other topics than orders are then numbered by the
    /// relay and delivered here as they come back through
    /// [`Self::receive`].
    pub fn set_relay(&self, relay: Arc<dyn Relay>) {
        let _ = self.inner.relay.set(relay);
    }

    /// Hands every event published from now on to `keeper` too (set once).
    pub fn set_keeper(&self, keeper: Arc<dyn Keeper>) {
        let _ = self.inner.keeper.set(keeper);
    }

    /// Publishes on a topic that numbers its own events; returns the seq
    /// (0 in a cluster, where the relay numbers it).
    pub fn publish(&self, topic: Topic, kind: &'static str, data: impl Serialize) -> u64 {
        let data = json_text(&data);
        let at = OffsetDateTime::now_utc();
        if let Some(keeper) = self.inner.keeper.get() {
            keeper.keep(&topic, kind, &data, at);
        }
        if let Some(relay) = self.inner.relay.get() {
            relay.send(Outgoing {
                topic,
                seq: None,
                kind,
                data,
                at,
            });
            return 0;
        }
        let mut stripe = self.stripe(&topic);
        let channel = stripe.entry(topic).or_insert_with(Channel::new);
        channel.last += 1;
        let event = Arc::new(Event {
            topic,
            seq: channel.last,
            kind,
            data,
            at: OffsetDateTime::now_utc(),
            published: Instant::now(),
        });
        channel.recent.push_back(event.clone());
        while channel.recent.len() > self.inner.retention.events {
            channel.recent.pop_front();
        }
        channel.touched = Instant::now();
        fan_out(channel, &event);
        channel.last
    }

    /// Publishes an event whose seq comes from durable history (an order's
    /// timeline). Nothing is kept: late subscribers replay from the store. So
    /// `event` (its kind and data) is only built when someone follows `topic`.
    pub fn publish_numbered<D: Serialize>(
        &self,
        topic: Topic,
        seq: u64,
        at: Timestamp,
        event: impl FnOnce() -> (&'static str, D),
    ) {
        let relay = self.inner.relay.get();
        let mut stripe = self.stripe(&topic);
        let followed = stripe
            .get(&topic)
            .is_some_and(|c| !c.subscribers.is_empty());
        if !followed && relay.is_none() {
            return;
        }
        let (kind, data) = event();
        let data = json_text(&data);
        if let Some(relay) = relay {
            relay.send(Outgoing {
                topic,
                seq: Some(seq),
                kind,
                data: data.clone(),
                at,
            });
        }
        let Some(channel) = stripe.get_mut(&topic).filter(|_| followed) else {
            return;
        };
        channel.last = channel.last.max(seq);
        let event = Arc::new(Event {
            topic,
            seq,
            kind,
            data,
            at,
            published: Instant::now(),
        });
        fan_out(channel, &event);
    }

    /// Takes in an event relayed from a node of the cluster (this one
    /// included). An order topic's event reaches its subscribers here unless
    /// this node published it (they had it then). Any other topic's is held
    /// and delivered in seq order: one already held is dropped, and one
    /// that skips seqs is not taken until the missing ones are, unless
    /// `skip` (they cannot be had).
    pub fn receive(&self, incoming: &Incoming, from_here: bool, skip: bool) -> Received {
        let Some(topic) = Topic::from_key(&incoming.topic) else {
            return Received::Stale;
        };
        let event = |seq| {
            Arc::new(Event {
                topic,
                seq,
                kind: kind_of(&incoming.kind),
                data: incoming.data.clone(),
                at: incoming.at,
                published: Instant::now(),
            })
        };
        let mut stripe = self.stripe(&topic);
        if let Topic::Order(_) = topic {
            if let Some(channel) = stripe.get_mut(&topic).filter(|_| !from_here) {
                channel.last = channel.last.max(incoming.seq);
                fan_out(channel, &event(incoming.seq));
            }
            return Received::Taken;
        }
        let channel = stripe.entry(topic).or_insert_with(Channel::new);
        if incoming.generation != channel.generation {
            if incoming.generation < channel.generation {
                return Received::Stale;
            }
            // A new numbering (or the first event this node hears of).
            channel.generation = incoming.generation;
            channel.last = incoming.seq.saturating_sub(1);
            channel.recent.clear();
        }
        if incoming.seq <= channel.last {
            return Received::Stale;
        }
        if incoming.seq > channel.last + 1 && !skip {
            return Received::Missing {
                after: channel.last,
            };
        }
        let event = event(incoming.seq);
        channel.last = incoming.seq;
        channel.recent.push_back(event.clone());
        while channel.recent.len() > self.inner.retention.events {
            channel.recent.pop_front();
        }
        channel.touched = Instant::now();
        fan_out(channel, &event);
        Received::Taken
    }

    /// In a cluster, what a subscriber that missed events of `topic` after
    /// `since` gets from the events the relay keeps (for a node that
    /// started after they were published); `None` without a relay or when
    /// they cannot be read.
    pub async fn kept_since(&self, topic: Topic, since: u64) -> Option<Replay> {
        let relay = self.inner.relay.get()?;
        let kept = match relay.kept(&topic.key()).await {
            Ok(kept) => kept,
            Err(e) => {
                tracing::warn!(%topic, error = %e, "kept events cannot be read");
                return None;
            }
        };
        let newest = kept.last()?.generation;
        let events: Vec<Arc<Event>> = kept
            .iter()
            .filter(|e| e.generation == newest)
            .map(|e| {
                Arc::new(Event {
                    topic,
                    seq: e.seq,
                    kind: kind_of(&e.kind),
                    data: e.data.clone(),
                    at: e.at,
                    published: Instant::now(),
                })
            })
            .collect();
        let oldest = events.first().map(|e| e.seq);
        let latest = events.last().map_or(0, |e| e.seq);
        if since > latest || oldest.is_some_and(|oldest| since + 1 < oldest) {
            return Some(Replay::Gap { oldest, latest });
        }
        Some(Replay::Events(
            events.into_iter().filter(|e| e.seq > since).collect(),
        ))
    }

    /// Registers `sink` on `topic` and returns what it missed after `since`.
    /// Everything published later reaches the sink, so replay plus sink
    /// holds each event once, in order.
    pub fn subscribe(
        &self,
        topic: Topic,
        since: Option<u64>,
        sink: Sink,
    ) -> (Subscription, Replay) {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let mut stripe = self.stripe(&topic);
        let channel = stripe.entry(topic).or_insert_with(Channel::new);
        let replay = match since {
            None => Replay::Events(Vec::new()),
            Some(_) if matches!(topic, Topic::Order(_)) => Replay::Events(Vec::new()),
            Some(since) => replay(channel, since),
        };
        channel.subscribers.push((id, sink));
        (Subscription { id, topic }, replay)
    }

    pub fn unsubscribe(&self, subscription: Subscription) {
        let mut stripe = self.stripe(&subscription.topic);
        if let Some(channel) = stripe.get_mut(&subscription.topic) {
            channel.subscribers.retain(|(id, _)| *id != subscription.id);
            channel.touched = Instant::now();
        }
    }

    /// Forgets topics nobody follows: order topics at once (their history is
    /// in the store), checkout topics once idle for `checkout_idle`, the
    /// others once idle for `idle`.
    pub fn sweep(&self) {
        let RetentionConfig {
            idle,
            checkout_idle,
            ..
        } = self.inner.retention;
        for stripe in &self.inner.stripes {
            let mut stripe = lock(stripe);
            stripe.retain(|topic, channel| {
                channel.subscribers.retain(|(_, sink)| !sink.is_closed());
                let keep_for = match topic {
                    Topic::Order(_) => Duration::ZERO,
                    Topic::Checkout(_) => checkout_idle,
                    _ => idle,
                };
                !channel.subscribers.is_empty() || channel.touched.elapsed() < keep_for
            });
        }
    }

    /// Topics currently held (followed, or kept for replay).
    pub fn topics(&self) -> usize {
        self.inner.stripes.iter().map(|s| lock(s).len()).sum()
    }

    fn stripe(&self, topic: &Topic) -> MutexGuard<'_, HashMap<Topic, Channel>> {
        let mut hasher = DefaultHasher::new();
        topic.hash(&mut hasher);
        lock(&self.inner.stripes[(hasher.finish() as usize) % STRIPES])
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

fn fan_out(channel: &mut Channel, event: &Arc<Event>) {
    channel.subscribers.retain(|(_, sink)| sink.deliver(event));
}

fn replay(channel: &Channel, since: u64) -> Replay {
    if since > channel.last {
        // From before a restart: numbering started again.
        return Replay::Gap {
            oldest: channel.recent.front().map(|e| e.seq),
            latest: channel.last,
        };
    }
    let oldest = channel.recent.front().map(|e| e.seq);
    let covered = match oldest {
        Some(oldest) => since + 1 >= oldest,
        None => since == channel.last,
    };
    if !covered {
        return Replay::Gap {
            oldest,
            latest: channel.last,
        };
    }
    Replay::Events(
        channel
            .recent
            .iter()
            .filter(|e| e.seq > since)
            .cloned()
            .collect(),
    )
}
