//! Live events across nodes: this node's bus relays every event it
//! publishes through Redis ([`souk_cluster::EventLog`]), and takes in every
//! node's, its own included, so a WebSocket client on any node follows
//! topics published on any node, with the same `seq` everywhere.
//!
//! Nothing here makes an actor wait: events queue (at most [`QUEUE`]) for a
//! task that sends them in batches. While Redis cannot be reached a batch is
//! tried again for a lease time, then dropped and counted in
//! `souk_cluster_broadcast_failures_total`: order events still reach this
//! node's subscribers (and every client resumes them from the store); the
//! others are missing until their topic's next event.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde_json::value::RawValue;
use souk_actors::EventBus;
use souk_actors::Topic;
use souk_actors::events::{Incoming, Outgoing, Received, Relay, RetentionConfig};
use souk_cluster::{ClusterError, EventLog, Outbound, Redis};
use souk_models::Timestamp;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Events waiting to be sent at most.
const QUEUE: usize = 65_536;
/// Events sent in one round trip at most.
const BATCH: usize = 256;
/// Pause between attempts to send a batch while Redis is away.
const RETRY: Duration = Duration::from_millis(100);

/// An event as this node sends it (the relay adds `seq` and `generation`).
#[derive(Serialize)]
struct Body<'a> {
    topic: &'a str,
    kind: &'a str,
    data: &'a RawValue,
    #[serde(with = "time::serde::rfc3339")]
    at: Timestamp,
    node: &'a str,
}

/// Queues this node's events for the sending task.
struct Queue {
    events: mpsc::Sender<Outbound>,
    me: String,
    retention: RetentionConfig,
    log: EventLog,
}

#[async_trait::async_trait]
impl Relay for Queue {
    async fn kept(&self, topic: &str) -> Result<Vec<Incoming>, String> {
        let kept = self.log.history(topic).await.map_err(|e| e.to_string())?;
        Ok(kept
            .iter()
            .filter_map(|text| serde_json::from_str(text).ok())
            .collect())
    }

    fn send(&self, event: Outgoing) {
        let topic = event.topic.key();
        let body = Body {
            topic: &topic,
            kind: event.kind,
            data: &event.data,
            at: event.at,
            node: &self.me,
        };
        let Ok(body) = serde_json::to_string(&body) else {
            return;
        };
        let idle = match event.topic {
            Topic::Checkout(_) => self.retention.checkout_idle,
            _ => self.retention.idle,
        };
        let outbound = Outbound {
            topic,
            seq: event.seq,
            idle: idle.max(Duration::from_secs(1)),
            body,
        };
        if self.events.try_send(outbound).is_err() {
            failed();
            tracing::warn!("a live event was not queued for the other nodes: the queue is full");
        }
    }
}

/// The tasks that send and receive live events.
pub struct EventSync {
    tasks: [JoinHandle<()>; 2],
}

impl EventSync {
    /// Relays `bus`'s events from now on. `me` names this node in what it
    /// sends; `lease` is how long a batch is tried while Redis is away.
    pub async fn start(
        redis: &Redis,
        bus: EventBus,
        retention: RetentionConfig,
        me: String,
        lease: Duration,
    ) -> Result<Self, ClusterError> {
        let log = EventLog::new(redis.clone(), retention.events);
        let mut subscription = log.subscribe().await?;
        let (events, mut queued) = mpsc::channel(QUEUE);
        bus.set_relay(Arc::new(Queue {
            events,
            me: me.clone(),
            retention,
            log: log.clone(),
        }));
        let sender = {
            let log = log.clone();
            tokio::spawn(async move {
                let mut batch = Vec::with_capacity(BATCH);
                while queued.recv_many(&mut batch, BATCH).await > 0 {
                    send(&log, &batch, lease).await;
                    batch.clear();
                }
            })
        };
        let receiver = tokio::spawn(async move {
            while let Some(text) = subscription.next().await {
                match serde_json::from_str::<Incoming>(&text) {
                    Ok(event) => take(&bus, &log, &event, &me).await,
                    Err(e) => tracing::warn!(error = %e, "skipping an unreadable live event"),
                }
            }
        });
        Ok(Self {
            tasks: [sender, receiver],
        })
    }

    pub fn stop(&self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

async fn send(log: &EventLog, batch: &[Outbound], lease: Duration) {
    let deadline = tokio::time::Instant::now() + lease;
    loop {
        match log.publish(batch).await {
            Ok(()) => return,
            Err(e) if tokio::time::Instant::now() >= deadline => {
                metrics::counter!("souk_cluster_broadcast_failures_total")
                    .increment(batch.len() as u64);
                tracing::warn!(error = %e, events = batch.len(), "live events not sent to the nodes");
                return;
            }
            Err(_) => tokio::time::sleep(RETRY).await,
        }
    }
}

/// Takes `event` into the bus; if the bus misses events of its topic
/// before it, takes those first from the topic's kept events.
async fn take(bus: &EventBus, log: &EventLog, event: &Incoming, me: &str) {
    let from_here = event.node == me;
    let Received::Missing { after } = bus.receive(event, from_here, false) else {
        return;
    };
    match log.history(&event.topic).await {
        Ok(kept) => {
            for text in kept {
                let Ok(missed) = serde_json::from_str::<Incoming>(&text) else {
                    continue;
                };
                let between = missed.seq > after && missed.seq < event.seq;
                if missed.generation == event.generation && between {
                    bus.receive(&missed, missed.node == me, true);
                }
            }
        }
        Err(e) => {
            tracing::warn!(topic = %event.topic, error = %e, "missed live events cannot be fetched")
        }
    }
    bus.receive(event, from_here, true);
}

fn failed() {
    metrics::counter!("souk_cluster_broadcast_failures_total").increment(1);
}
