//! `CheckoutLane`: one priority lane, a bounded FIFO of waiting tickets. It
//! answers for places in line and publishes them as they move; the dispatcher
//! decides when each lane gives up its oldest ticket.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use serde::Serialize;
use tokio::time::Instant;
use uuid::Uuid;

use crate::events::{EventBus, Topic};

/// How often waiting tickets hear their place in line.
const POSITION_EVERY: Duration = Duration::from_secs(1);

/// One lane's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaneConfig {
    pub name: String,
    /// Share of dispatches relative to the other lanes.
    pub weight: u32,
    /// Tickets it may hold; a full lane refuses new ones.
    pub capacity: usize,
}

/// The ticket a lane gave up, and when the ticket now at its head arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Popped {
    pub ticket: Uuid,
    pub arrived: Instant,
    pub next: Option<Instant>,
}

/// The running lane actors, by lane, shared with the handle so places in
/// line are answered by the lanes without the dispatcher.
#[derive(Clone, Default)]
pub(crate) struct LaneRefs(Arc<RwLock<Vec<NamedLane>>>);

type NamedLane = (String, ActorRef<LaneMsg>);

impl LaneRefs {
    pub(crate) fn get(&self, name: &str) -> Option<ActorRef<LaneMsg>> {
        let lanes = self.0.read().ok()?;
        lanes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, a)| a.clone())
    }

    pub(crate) fn all(&self) -> Vec<NamedLane> {
        self.0.read().map(|l| l.clone()).unwrap_or_default()
    }

    pub(super) fn at(&self, lane: usize) -> Option<ActorRef<LaneMsg>> {
        let lanes = self.0.read().ok()?;
        lanes.get(lane).map(|(_, a)| a.clone())
    }

    pub(super) fn set(&self, lane: usize, name: &str, actor: ActorRef<LaneMsg>) {
        if let Ok(mut lanes) = self.0.write() {
            match lanes.get_mut(lane) {
                Some(slot) => slot.1 = actor,
                None => lanes.push((name.to_owned(), actor)),
            }
        }
    }

    pub(super) fn index_of(&self, actor: ractor::ActorId) -> Option<usize> {
        let lanes = self.0.read().ok()?;
        lanes.iter().position(|(_, a)| a.get_id() == actor)
    }
}

pub(crate) enum LaneMsg {
    /// Appends a ticket that arrived `at`; `false` when the lane is full.
    Push {
        ticket: Uuid,
        at: Instant,
        reply: RpcReplyPort<bool>,
    },
    /// Gives up the oldest ticket.
    Pop {
        reply: RpcReplyPort<Option<Popped>>,
    },
    /// Takes tickets out wherever they wait; answers with when the ticket
    /// now at the head arrived.
    Remove {
        tickets: Vec<Uuid>,
        reply: RpcReplyPort<Option<Instant>>,
    },
    /// 1-based place of a waiting ticket.
    Position {
        ticket: Uuid,
        reply: RpcReplyPort<Option<usize>>,
    },
    Depth {
        reply: RpcReplyPort<usize>,
    },
    /// Publish the places that moved (once a second).
    Tick,
    /// Test hook: fail while handling a message.
    #[cfg(test)]
    Panic,
}

pub(crate) struct LaneArgs {
    pub config: LaneConfig,
    pub events: EventBus,
    /// What the lane held when it starts again after a failure, oldest first.
    pub waiting: Vec<(Uuid, Instant)>,
}

pub(crate) struct LaneState {
    config: LaneConfig,
    events: EventBus,
    /// `souk_checkout_lane_depth` for this lane.
    depth: metrics::Gauge,
    queue: VecDeque<(Uuid, Instant)>,
    /// The place last published for each waiting ticket.
    announced: HashMap<Uuid, usize>,
}

pub(crate) struct CheckoutLane;

impl Actor for CheckoutLane {
    type Msg = LaneMsg;
    type State = LaneState;
    type Arguments = LaneArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<LaneMsg>,
        args: LaneArgs,
    ) -> Result<LaneState, ActorProcessingErr> {
        myself.send_interval(POSITION_EVERY, || LaneMsg::Tick);
        let depth = metrics::gauge!("souk_checkout_lane_depth", "lane" => args.config.name.clone());
        let state = LaneState {
            depth,
            config: args.config,
            events: args.events,
            queue: args.waiting.into(),
            announced: HashMap::new(),
        };
        state.record_depth();
        Ok(state)
    }

    async fn handle(
        &self,
        _myself: ActorRef<LaneMsg>,
        msg: LaneMsg,
        state: &mut LaneState,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            LaneMsg::Push { ticket, at, reply } => {
                let room = state.queue.len() < state.config.capacity;
                if room {
                    state.queue.push_back((ticket, at));
                }
                let _ = reply.send(room);
            }
            LaneMsg::Pop { reply } => {
                let popped = state.queue.pop_front().map(|(ticket, arrived)| {
                    state.announced.remove(&ticket);
                    Popped {
                        ticket,
                        arrived,
                        next: state.head(),
                    }
                });
                let _ = reply.send(popped);
            }
            LaneMsg::Remove { tickets, reply } => {
                // A sell-out can doom the whole lane at once: one pass, not one per ticket.
                let gone: HashSet<Uuid> = tickets.into_iter().collect();
                state.queue.retain(|(t, _)| !gone.contains(t));
                state.announced.retain(|t, _| !gone.contains(t));
                let _ = reply.send(state.head());
            }
            LaneMsg::Position { ticket, reply } => {
                let _ = reply.send(state.position(ticket));
            }
            LaneMsg::Depth { reply } => {
                let _ = reply.send(state.queue.len());
            }
            LaneMsg::Tick => state.publish_positions(),
            #[cfg(test)]
            LaneMsg::Panic => panic!("checkout lane failed on purpose"),
        }
        state.record_depth();
        Ok(())
    }
}

impl LaneState {
    fn head(&self) -> Option<Instant> {
        self.queue.front().map(|(_, at)| *at)
    }

    fn position(&self, ticket: Uuid) -> Option<usize> {
        self.queue
            .iter()
            .position(|(t, _)| *t == ticket)
            .map(|p| p + 1)
    }

    fn record_depth(&self) {
        self.depth.set(self.queue.len() as f64);
    }

    /// Publishes the places that moved meaningfully since last announced: by
    /// at least a twentieth (and at least one place).
    fn publish_positions(&mut self) {
        for (index, (ticket, _)) in self.queue.iter().enumerate() {
            let position = index + 1;
            let last = self.announced.get(ticket).copied();
            let moved = last.is_none_or(|last| last.abs_diff(position) >= (last / 20).max(1));
            if moved {
                let data = Position {
                    ticket: *ticket,
                    status: "queued",
                    lane: &self.config.name,
                    position,
                };
                self.events
                    .publish(Topic::Checkout(*ticket), "position", data);
                self.announced.insert(*ticket, position);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ractor::rpc::CallResult;

    async fn call<T: Send + 'static>(
        lane: &ActorRef<LaneMsg>,
        build: impl FnOnce(RpcReplyPort<T>) -> LaneMsg,
    ) -> T {
        match lane.call(build, Some(Duration::from_secs(5))).await {
            Ok(CallResult::Success(value)) => value,
            _ => panic!("the lane did not answer"),
        }
    }

    #[tokio::test]
    async fn a_full_lane_refuses_and_places_close_up() {
        let args = LaneArgs {
            config: LaneConfig {
                name: "standard".into(),
                weight: 1,
                capacity: 3,
            },
            events: EventBus::new(Default::default()),
            waiting: Vec::new(),
        };
        let (lane, _) = Actor::spawn(None, CheckoutLane, args)
            .await
            .expect("the lane starts");
        let at = Instant::now();
        let tickets: Vec<Uuid> = (0..4).map(|_| Uuid::now_v7()).collect();
        for (i, ticket) in tickets.iter().enumerate() {
            let ticket = *ticket;
            let pushed = call(&lane, |reply| LaneMsg::Push { ticket, at, reply }).await;
            assert_eq!(pushed, i < 3, "capacity 3");
        }
        let third = tickets[2];
        let place = call(&lane, |reply| LaneMsg::Position {
            ticket: third,
            reply,
        })
        .await;
        assert_eq!(place, Some(3));
        let first = vec![tickets[0]];
        let head = call(&lane, |reply| LaneMsg::Remove {
            tickets: first,
            reply,
        })
        .await;
        assert_eq!(head, Some(at));
        let place = call(&lane, |reply| LaneMsg::Position {
            ticket: third,
            reply,
        })
        .await;
        assert_eq!(place, Some(2), "moved up when the first left");
        let popped = call(&lane, |reply| LaneMsg::Pop { reply }).await;
        assert_eq!(popped.map(|p| p.ticket), Some(tickets[1]), "oldest first");
        assert_eq!(call(&lane, |reply| LaneMsg::Depth { reply }).await, 1);
        lane.stop(None);
    }
}

/// A waiting ticket's place in its lane.
#[derive(Serialize)]
struct Position<'a> {
    ticket: Uuid,
    status: &'a str,
    lane: &'a str,
    position: usize,
}
