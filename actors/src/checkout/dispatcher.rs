//! `CheckoutDispatcher`: owns the lanes, admits tickets, and keeps at most
//! `max_in_flight` checkouts running, drained from the lanes by weight.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use souk_models::{ProductId, Ticket, TicketStatus};
use tokio::sync::watch;
use tokio::time::Instant;
use uuid::Uuid;

use serde_json::json;

use super::lanes::{LaneConfig, Lanes};
use super::publish;
use crate::events::Topic;

/// How often waiting tickets hear their place in line.
const POSITION_EVERY: Duration = Duration::from_secs(1);
use super::pipeline::Pipeline;

/// A ticket accepted into (or already in) the queue.
pub(crate) struct Admission {
    pub lane: String,
    pub outcome: watch::Receiver<TicketStatus>,
}

pub(crate) enum DispatchMsg {
    /// `Err(lane)` when that lane is full.
    Submit {
        ticket: Box<Ticket>,
        products: Vec<ProductId>,
        reply: RpcReplyPort<Result<Admission, String>>,
    },
    /// Lane and position of a ticket still waiting.
    Position {
        ticket: Uuid,
        reply: RpcReplyPort<Option<(String, usize)>>,
    },
    Done {
        ticket: Uuid,
        status: TicketStatus,
    },
    /// Publish queue positions that moved (once a second).
    Tick,
    /// Tickets waiting in each lane.
    Depths {
        reply: RpcReplyPort<Vec<(String, usize)>>,
    },
    /// Stop dispatching; answer when nothing is in flight.
    Drain {
        reply: RpcReplyPort<()>,
    },
    /// Test hook: hold dispatching (`true`) so lanes fill, then release it.
    #[cfg(test)]
    Hold(bool),
}

pub(crate) struct DispatcherArgs {
    pub lanes: Vec<LaneConfig>,
    pub starvation: Duration,
    pub max_in_flight: usize,
    pub pipeline: Arc<Pipeline>,
}

pub(crate) struct DispatcherState {
    lanes: Lanes,
    /// Queued or in-flight tickets, with the channel their outcome goes to.
    tickets: HashMap<Uuid, (Ticket, Vec<ProductId>, watch::Sender<TicketStatus>)>,
    in_flight: usize,
    max_in_flight: usize,
    pipeline: Arc<Pipeline>,
    draining: Option<Vec<RpcReplyPort<()>>>,
    /// The position last published for each waiting ticket.
    announced: HashMap<Uuid, usize>,
    #[cfg(test)]
    held: bool,
}

pub(crate) struct CheckoutDispatcher;

impl Actor for CheckoutDispatcher {
    type Msg = DispatchMsg;
    type State = DispatcherState;
    type Arguments = DispatcherArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<DispatchMsg>,
        args: DispatcherArgs,
    ) -> Result<DispatcherState, ActorProcessingErr> {
        myself.send_interval(POSITION_EVERY, || DispatchMsg::Tick);
        Ok(DispatcherState {
            lanes: Lanes::new(&args.lanes, args.starvation),
            tickets: HashMap::new(),
            in_flight: 0,
            max_in_flight: args.max_in_flight.max(1),
            pipeline: args.pipeline,
            draining: None,
            announced: HashMap::new(),
            #[cfg(test)]
            held: false,
        })
    }

    async fn handle(
        &self,
        myself: ActorRef<DispatchMsg>,
        msg: DispatchMsg,
        state: &mut DispatcherState,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            DispatchMsg::Submit {
                ticket,
                products,
                reply,
            } => {
                let _ = reply.send(admit(state, *ticket, products));
                dispatch(&myself, state);
            }
            DispatchMsg::Position { ticket, reply } => {
                let position = state
                    .lanes
                    .position(ticket)
                    .map(|(lane, p)| (state.lanes.name(lane).to_owned(), p));
                let _ = reply.send(position);
            }
            DispatchMsg::Done { ticket, status } => {
                state.in_flight = state.in_flight.saturating_sub(1);
                finish(state, ticket, status);
                reject_sold_out(state);
                dispatch(&myself, state);
            }
            DispatchMsg::Tick => {
                let events = &state.pipeline.events;
                publish::positions(events, &state.lanes, &mut state.announced);
            }
            DispatchMsg::Depths { reply } => {
                let depths = state.lanes.depths().map(|(l, d)| (l.to_owned(), d));
                let _ = reply.send(depths.collect());
            }
            DispatchMsg::Drain { reply } => {
                state.draining.get_or_insert_with(Vec::new).push(reply);
            }
            #[cfg(test)]
            DispatchMsg::Hold(held) => {
                state.held = held;
                dispatch(&myself, state);
            }
        }
        if state.in_flight == 0
            && let Some(waiters) = state.draining.as_mut()
        {
            for waiter in waiters.drain(..) {
                let _ = waiter.send(());
            }
        }
        publish_depths(state);
        Ok(())
    }
}

fn admit(
    state: &mut DispatcherState,
    ticket: Ticket,
    products: Vec<ProductId>,
) -> Result<Admission, String> {
    if let Some((queued, _, tx)) = state.tickets.get(&ticket.id) {
        // Submitted again (a retry with the same key): same place in line.
        return Ok(Admission {
            lane: queued.lane.clone(),
            outcome: tx.subscribe(),
        });
    }
    let lane = state.lanes.index(&ticket.lane).unwrap_or(0);
    if !state.lanes.push(lane, ticket.id, Instant::now()) {
        metrics::counter!("souk_checkouts_total", "outcome" => "lane_full", "lane" => ticket.lane.clone()).increment(1);
        return Err(ticket.lane);
    }
    let (tx, rx) = watch::channel(TicketStatus::Queued);
    let lane_name = ticket.lane.clone();
    let id = ticket.id;
    state.tickets.insert(id, (ticket, products, tx));
    Ok(Admission {
        lane: lane_name,
        outcome: rx,
    })
}

/// Starts checkouts while there is room in flight.
fn dispatch(myself: &ActorRef<DispatchMsg>, state: &mut DispatcherState) {
    if state.draining.is_some() {
        return;
    }
    #[cfg(test)]
    if state.held {
        return;
    }
    while state.in_flight < state.max_in_flight {
        let Some((lane, id, waited)) = state.lanes.pop(Instant::now()) else {
            break;
        };
        let Some((ticket, _, _)) = state.tickets.get(&id) else {
            continue;
        };
        metrics::histogram!("souk_checkout_wait_seconds", "lane" => state.lanes.name(lane).to_owned())
            .record(waited.as_secs_f64());
        state.announced.remove(&id);
        state.pipeline.events.publish(
            Topic::Checkout(id),
            "status",
            json!({ "ticket": id, "status": "processing" }),
        );
        state.in_flight += 1;
        let (ticket, pipeline, myself) = (ticket.clone(), state.pipeline.clone(), myself.clone());
        tokio::spawn(async move {
            let status = pipeline.process(&ticket).await;
            if !matches!(status, TicketStatus::Completed { .. }) {
                pipeline.record(ticket.id, &status).await;
            }
            let _ = myself.send_message(DispatchMsg::Done {
                ticket: ticket.id,
                status,
            });
        });
    }
    metrics::gauge!("souk_checkouts_in_flight").set(state.in_flight as f64);
}

fn finish(state: &mut DispatcherState, ticket: Uuid, status: TicketStatus) {
    if let Some((ticket, _, tx)) = state.tickets.remove(&ticket) {
        let outcome = match &status {
            TicketStatus::Completed { .. } => "completed".to_owned(),
            TicketStatus::Rejected { reason } => reason.clone(),
            TicketStatus::Queued => "queued".to_owned(),
        };
        metrics::counter!("souk_checkouts_total", "outcome" => outcome.clone(), "lane" => ticket.lane.clone())
            .increment(1);
        publish::outcome(&state.pipeline.events, &ticket, &status, &outcome);
        let _ = tx.send(status);
    }
    state.announced.remove(&ticket);
}

/// Stock-aware admission: a waiting ticket whose products are all sold out is
/// rejected now rather than after its wait.
fn reject_sold_out(state: &mut DispatcherState) {
    let doomed: Vec<Uuid> = state
        .lanes
        .queued()
        .filter(|id| {
            state
                .tickets
                .get(id)
                .is_some_and(|(_, products, _)| state.pipeline.all_sold_out(products))
        })
        .collect();
    for id in doomed {
        state.lanes.remove(id);
        let status = TicketStatus::Rejected {
            reason: "out_of_stock".into(),
        };
        let (pipeline, stored) = (state.pipeline.clone(), status.clone());
        tokio::spawn(async move { pipeline.record(id, &stored).await });
        finish(state, id, status);
    }
}

fn publish_depths(state: &DispatcherState) {
    for (lane, depth) in state.lanes.depths() {
        metrics::gauge!("souk_checkout_lane_depth", "lane" => lane.to_owned()).set(depth as f64);
    }
}
