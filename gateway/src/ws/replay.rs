//! Starting a subscription without missing or repeating anything: register
//! on the bus, queue `subscribed`, then what the client missed (or a `gap`).

use std::time::Instant;

use axum::extract::ws::Message;
use souk_actors::events::{Event, Replay, Sink, Subscription, json_text, payloads};
use souk_actors::{EventBus, Topic};
use souk_models::{Caller, OrderId};
use time::OffsetDateTime;
use uuid::Uuid;

use super::gate::{Gate, Unavailable};
use super::outbox::Outbox;
use super::protocol::Reply;

/// Follows an order, replaying from its durable timeline. Subscribes on the
/// bus first, then reads the timeline, so that every entry is either in what
/// was read or arrives live (where entries up to the returned seq are
/// dropped as already sent). `None` if the timeline cannot be read.
pub(super) async fn order<G: Gate>(
    gate: &G,
    sink: Sink,
    order: OrderId,
    since: Option<u64>,
    out: &mut Outbox,
) -> Option<(Subscription, u64)> {
    let topic = Topic::Order(order);
    let bus = gate.events();
    let (subscription, _) = bus.subscribe(topic, since, sink);
    let Ok(timeline) = gate.timeline(order).await else {
        bus.unsubscribe(subscription);
        return None;
    };
    let latest = timeline.iter().map(|e| e.seq).max().unwrap_or(0);
    let name = topic.to_string();
    out.push(subscribed(name.clone(), latest));
    match since {
        Some(since) if since > latest => {
            let oldest = timeline.iter().map(|e| e.seq).min();
            out.push(gap(name, since, oldest, latest));
        }
        Some(since) => {
            for entry in timeline.iter().filter(|e| e.seq > since) {
                let (kind, data) = payloads::order_entry(order, entry);
                let event = Event {
                    topic,
                    seq: entry.seq,
                    kind,
                    data: json_text(&data),
                    at: entry.at,
                    published: Instant::now(),
                };
                queue_event(out, &event, None);
            }
        }
        None => {}
    }
    Some((subscription, latest))
}

/// Follows a checkout ticket from the bus's recent events, as [`retained`].
/// When the bus holds none (the ticket's topic was forgotten after
/// `websocket.checkout_retention_secs`, or the server restarted) and the
/// ticket is finished, its outcome is read from the store and sent as the
/// first event. An outcome published live meanwhile is also the topic's first,
/// so it is dropped as already sent. `None` if the ticket cannot be read.
pub(super) async fn checkout<G: Gate>(
    gate: &G,
    sink: Sink,
    ticket: Uuid,
    caller: Caller,
    since: Option<u64>,
    out: &mut Outbox,
) -> Option<(Subscription, u64)> {
    let topic = Topic::Checkout(ticket);
    let (subscription, latest) = retained(gate.events(), sink, topic, since, out).await;
    if latest > 0 || since.is_some_and(|s| s > 0) {
        return Some((subscription, latest));
    }
    match gate.ticket_outcome(ticket, caller).await {
        Ok(None) => Some((subscription, latest)),
        Ok(Some(data)) => {
            let event = Event {
                topic,
                seq: 1,
                kind: "status",
                data,
                at: OffsetDateTime::now_utc(),
                published: Instant::now(),
            };
            queue_event(out, &event, None);
            Some((subscription, 1))
        }
        Err(Unavailable) => {
            gate.events().unsubscribe(subscription);
            None
        }
    }
}

/// Follows any other topic, replaying from the bus's recent events, which it
/// hands over atomically with the registration. Asking from 0 when the
/// client gave no `since` tells the latest seq without replaying anything.
/// In a cluster, what this node's bus does not hold (it started after) is
/// read from the events the relay keeps; what arrives live meanwhile up to
/// the seq returned is dropped as already sent. Returns the subscription
/// and the last seq the client has.
pub(super) async fn retained(
    bus: &EventBus,
    sink: Sink,
    topic: Topic,
    since: Option<u64>,
    out: &mut Outbox,
) -> (Subscription, u64) {
    let asked = since.unwrap_or(0);
    let (subscription, mut replay) = bus.subscribe(topic, Some(asked), sink);
    if let (Replay::Gap { .. }, Some(since)) = (&replay, since)
        && let Some(kept) = bus.kept_since(topic, since).await
    {
        replay = kept;
    }
    let name = topic.to_string();
    let latest = match replay {
        Replay::Events(events) => {
            let latest = events.last().map_or(asked, |e| e.seq);
            out.push(subscribed(name, latest));
            if since.is_some() {
                for event in &events {
                    queue_event(out, event, None);
                }
            }
            latest
        }
        Replay::Gap { oldest, latest } => {
            out.push(subscribed(name.clone(), latest));
            if let Some(since) = since {
                out.push(gap(name, since, oldest, latest));
            }
            latest
        }
    };
    (subscription, latest)
}

/// Queues `event` as an `event` message; `live` (its publication time) for
/// the fan-out latency metric.
pub(super) fn queue_event(out: &mut Outbox, event: &Event, live: Option<Instant>) {
    let reply = Reply::Event {
        topic: event.topic.to_string(),
        seq: event.seq,
        event: event.kind,
        data: &event.data,
        at: event.at,
    };
    out.push_event(reply.to_message(), live);
    metrics::counter!("souk_ws_events_sent_total", "kind" => event.topic.kind()).increment(1);
}

fn subscribed(topic: String, seq: u64) -> Message {
    Reply::Subscribed { topic, seq }.to_message()
}

fn gap(topic: String, since: u64, oldest: Option<u64>, latest: u64) -> Message {
    Reply::Gap {
        topic,
        since,
        oldest,
        latest,
    }
    .to_message()
}
