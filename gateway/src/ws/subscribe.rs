//! One connection's subscriptions: authorising them, replaying what the
//! client missed, and passing on live events once each, in order.

use std::collections::HashMap;

use souk_actors::Topic;
use souk_actors::events::{Event, Sink, Subscription};
use souk_models::UserId;

use super::gate::Gate;
use super::outbox::Outbox;
use super::protocol::{Reply, code};
use super::replay;

/// The account behind a connection is gone or disabled: close it (4401).
#[derive(Debug)]
pub(super) struct Revoked;

struct Follow {
    subscription: Subscription,
    /// The last seq the client has (sent, or before the seq it started at).
    last: u64,
}

/// A connection's subscriptions; dropping it unsubscribes them all.
pub(super) struct Topics<G: Gate> {
    gate: G,
    user: UserId,
    sink: Sink,
    max: usize,
    follows: HashMap<Topic, Follow>,
}

impl<G: Gate> Topics<G> {
    /// No subscriptions yet; events will go to `sink`.
    pub(super) fn new(gate: G, user: UserId, sink: Sink, max: usize) -> Self {
        Self {
            gate,
            user,
            sink,
            max,
            follows: HashMap::new(),
        }
    }

    /// Handles `subscribe`: queues `subscribed` then the missed events (or a
    /// `gap`), or an `error`.
    pub(super) async fn subscribe(
        &mut self,
        raw: &str,
        since: Option<u64>,
        out: &mut Outbox,
    ) -> Result<(), Revoked> {
        let topic = match Topic::parse(raw, self.user) {
            Ok(topic) => topic,
            Err(e) => {
                out.push(Reply::error(code::BAD_TOPIC, e.to_string(), Some(raw)).to_message());
                return Ok(());
            }
        };
        let name = topic.to_string();
        let refuse = |out: &mut Outbox, code, message: &str| {
            out.push(Reply::error(code, message, Some(&name)).to_message());
        };
        if self.follows.contains_key(&topic) {
            refuse(
                out,
                code::ALREADY_SUBSCRIBED,
                "already subscribed to this topic",
            );
            return Ok(());
        }
        if self.follows.len() >= self.max {
            let message = format!("at most {} subscriptions per connection", self.max);
            refuse(out, code::TOO_MANY_SUBSCRIPTIONS, &message);
            return Ok(());
        }
        let unavailable = "the server could not check this now; retry";
        let caller = match self.gate.caller(self.user).await {
            Ok(Some(caller)) => caller,
            Ok(None) => return Err(Revoked),
            Err(_) => {
                refuse(out, code::UNAVAILABLE, unavailable);
                return Ok(());
            }
        };
        match self.gate.may_follow(topic, caller).await {
            Ok(true) => {}
            Ok(false) => {
                refuse(out, code::FORBIDDEN, "you may not follow this topic");
                return Ok(());
            }
            Err(_) => {
                refuse(out, code::UNAVAILABLE, unavailable);
                return Ok(());
            }
        }
        let sink = self.sink.clone();
        let followed = match topic {
            Topic::Order(order) => replay::order(&self.gate, sink, order, since, out).await,
            Topic::Checkout(ticket) => {
                replay::checkout(&self.gate, sink, ticket, caller, since, out).await
            }
            _ => Some(replay::retained(self.gate.events(), sink, topic, since, out).await),
        };
        match followed {
            Some((subscription, last)) => {
                metrics::gauge!("souk_ws_subscriptions", "kind" => topic.kind()).increment(1.0);
                let follow = Follow { subscription, last };
                self.follows.insert(topic, follow);
            }
            None => refuse(out, code::UNAVAILABLE, unavailable),
        }
        Ok(())
    }

    /// Handles `unsubscribe`; unsubscribing from a topic not followed is not
    /// an error.
    pub(super) fn unsubscribe(&mut self, raw: &str, out: &mut Outbox) {
        match Topic::parse(raw, self.user) {
            Ok(topic) => {
                if let Some(follow) = self.follows.remove(&topic) {
                    self.forget(follow);
                }
                let topic = topic.to_string();
                out.push(Reply::Unsubscribed { topic }.to_message());
            }
            Err(e) => {
                out.push(Reply::error(code::BAD_TOPIC, e.to_string(), Some(raw)).to_message());
            }
        }
    }

    /// Queues a live event, unless its topic is no longer followed or the
    /// client has it already (replayed, or from before it subscribed).
    pub(super) fn deliver(&mut self, event: &Event, out: &mut Outbox) {
        let Some(follow) = self.follows.get_mut(&event.topic) else {
            return;
        };
        if event.seq <= follow.last {
            return;
        }
        follow.last = event.seq;
        replay::queue_event(out, event, Some(event.published));
    }

    fn forget(&self, follow: Follow) {
        let kind = follow.subscription.topic.kind();
        self.gate.events().unsubscribe(follow.subscription);
        metrics::gauge!("souk_ws_subscriptions", "kind" => kind).decrement(1.0);
    }
}

impl<G: Gate> Drop for Topics<G> {
    fn drop(&mut self) {
        for (_, follow) in std::mem::take(&mut self.follows) {
            self.forget(follow);
        }
    }
}
