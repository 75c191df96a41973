//! `CheckoutDispatcher`: supervises the lane actors, admits tickets into
//! them, and keeps at most `max_in_flight` checkouts running, taken from the
//! lanes by weight. A lane that fails is started again holding the tickets
//! that were waiting in it, in the same order.

use std::collections::HashMap;
use std::sync::Arc;

use ractor::rpc::CallResult;
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort, SupervisionEvent};
use souk_models::{ProductId, Ticket, TicketStatus};
use tokio::sync::watch;
use tokio::time::Instant;
use uuid::Uuid;

use super::lane::{CheckoutLane, LaneArgs, LaneConfig, LaneMsg, LaneRefs, Popped};
use super::pipeline::Pipeline;
use super::publish;
use super::schedule::Schedule;

mod outcome;

use outcome::{LaneMetrics, finish, reject_sold_out};

const LANE_KIND: &str = "checkout_lane";

/// A ticket accepted into (or already in) the queue.
pub(crate) struct Admission {
    pub lane: String,
    pub outcome: watch::Receiver<TicketStatus>,
}

/// Why a ticket was not admitted.
pub(crate) enum Refusal {
    Full,
    Unavailable,
}

pub(crate) enum DispatchMsg {
    Submit {
        ticket: Arc<Ticket>,
        products: Vec<ProductId>,
        /// Read back from the store: processing checks for its order first.
        stored_before: bool,
        reply: RpcReplyPort<Result<Admission, Refusal>>,
    },
    Done {
        ticket: Uuid,
        status: TicketStatus,
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
    pub refs: LaneRefs,
    pub starvation: std::time::Duration,
    pub max_in_flight: usize,
    pub pipeline: Arc<Pipeline>,
    pub call_timeout: std::time::Duration,
}

/// A queued or running ticket, with the channel its outcome goes to.
struct Entry {
    ticket: Arc<Ticket>,
    products: Vec<ProductId>,
    outcome: watch::Sender<TicketStatus>,
    lane: usize,
    arrived: Instant,
    running: bool,
    /// Read back from the store, so its order may exist already.
    stored_before: bool,
}

pub(crate) struct DispatcherState {
    lanes: Vec<LaneConfig>,
    metrics: Vec<LaneMetrics>,
    refs: LaneRefs,
    schedule: Schedule,
    tickets: HashMap<Uuid, Entry>,
    in_flight: usize,
    in_flight_gauge: metrics::Gauge,
    max_in_flight: usize,
    pipeline: Arc<Pipeline>,
    call_timeout: std::time::Duration,
    draining: Option<Vec<RpcReplyPort<()>>>,
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
        let state = DispatcherState {
            schedule: Schedule::new(args.lanes.iter().map(|l| l.weight), args.starvation),
            metrics: args.lanes.iter().map(LaneMetrics::new).collect(),
            lanes: args.lanes,
            refs: args.refs,
            tickets: HashMap::new(),
            in_flight: 0,
            in_flight_gauge: metrics::gauge!("souk_checkouts_in_flight"),
            max_in_flight: args.max_in_flight.max(1),
            pipeline: args.pipeline,
            call_timeout: args.call_timeout,
            draining: None,
            #[cfg(test)]
            held: false,
        };
        for lane in 0..state.lanes.len() {
            start_lane(&myself, &state, lane, Vec::new()).await?;
        }
        metrics::gauge!("souk_actors_alive", "kind" => LANE_KIND).set(state.lanes.len() as f64);
        Ok(state)
    }

    async fn post_stop(
        &self,
        _myself: ActorRef<DispatchMsg>,
        state: &mut DispatcherState,
    ) -> Result<(), ActorProcessingErr> {
        for (_, lane) in state.refs.all() {
            lane.stop(None);
        }
        Ok(())
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
                stored_before,
                reply,
            } => {
                let _ = reply.send(admit(state, ticket, products, stored_before).await);
                dispatch(&myself, state).await;
            }
            DispatchMsg::Done { ticket, status } => {
                state.in_flight = state.in_flight.saturating_sub(1);
                finish(state, ticket, status);
                reject_sold_out(state).await;
                dispatch(&myself, state).await;
            }
            DispatchMsg::Drain { reply } => {
                state.draining.get_or_insert_with(Vec::new).push(reply);
            }
            #[cfg(test)]
            DispatchMsg::Hold(held) => {
                state.held = held;
                dispatch(&myself, state).await;
            }
        }
        if state.in_flight == 0
            && let Some(waiters) = state.draining.as_mut()
        {
            for waiter in waiters.drain(..) {
                let _ = waiter.send(());
            }
        }
        Ok(())
    }

    async fn handle_supervisor_evt(
        &self,
        myself: ActorRef<DispatchMsg>,
        event: SupervisionEvent,
        state: &mut DispatcherState,
    ) -> Result<(), ActorProcessingErr> {
        let SupervisionEvent::ActorFailed(cell, error) = event else {
            return Ok(());
        };
        let Some(lane) = state.refs.index_of(cell.get_id()) else {
            return Ok(());
        };
        let name = state.lanes[lane].name.clone();
        tracing::error!(lane = %name, %error, "checkout lane failed; restarting it");
        metrics::counter!("souk_actor_restarts_total", "kind" => LANE_KIND).increment(1);
        let mut waiting: Vec<(Uuid, Instant)> = state
            .tickets
            .iter()
            .filter(|(_, e)| e.lane == lane && !e.running)
            .map(|(id, e)| (*id, e.arrived))
            .collect();
        waiting.sort_by_key(|(id, at)| (*at, *id));
        state
            .schedule
            .reset(lane, waiting.len(), waiting.first().map(|(_, at)| *at));
        start_lane(&myself, state, lane, waiting).await?;
        dispatch(&myself, state).await;
        Ok(())
    }
}

/// Starts lane `lane` (again) under the dispatcher, holding `waiting`.
async fn start_lane(
    myself: &ActorRef<DispatchMsg>,
    state: &DispatcherState,
    lane: usize,
    waiting: Vec<(Uuid, Instant)>,
) -> Result<(), ActorProcessingErr> {
    let config = state.lanes[lane].clone();
    let args = LaneArgs {
        config: config.clone(),
        events: state.pipeline.events.clone(),
        waiting,
    };
    let (actor, _) = Actor::spawn_linked(None, CheckoutLane, args, myself.get_cell()).await?;
    state.refs.set(lane, &config.name, actor);
    Ok(())
}

/// Calls lane `lane`; `None` if it is not answering (it failed and is being
/// started again).
async fn call_lane<T: Send + 'static>(
    state: &DispatcherState,
    lane: usize,
    build: impl FnOnce(RpcReplyPort<T>) -> LaneMsg,
) -> Option<T> {
    let actor = state.refs.at(lane)?;
    let timeout = Some(state.call_timeout);
    match actor.call(build, timeout).await {
        Ok(CallResult::Success(value)) => Some(value),
        _ => None,
    }
}

async fn admit(
    state: &mut DispatcherState,
    mut ticket: Arc<Ticket>,
    products: Vec<ProductId>,
    stored_before: bool,
) -> Result<Admission, Refusal> {
    if let Some(entry) = state.tickets.get(&ticket.id) {
        // Submitted again (a retry with the same key): same place in line.
        return Ok(Admission {
            lane: entry.ticket.lane.clone(),
            outcome: entry.outcome.subscribe(),
        });
    }
    // A lane no longer configured (a ticket stored before a config change)
    // waits in the last lane, as tiers no lane lists do.
    let last = state.lanes.len().saturating_sub(1);
    let lane = state.lanes.iter().position(|l| l.name == ticket.lane);
    let lane = lane.unwrap_or(last);
    let Some(config) = state.lanes.get(lane) else {
        return Err(Refusal::Unavailable);
    };
    if ticket.lane != config.name {
        Arc::make_mut(&mut ticket).lane.clone_from(&config.name);
    }
    let (id, at) = (ticket.id, Instant::now());
    let pushed = call_lane(state, lane, |reply| LaneMsg::Push {
        ticket: id,
        at,
        reply,
    })
    .await;
    match pushed {
        Some(true) => {}
        Some(false) => {
            metrics::counter!("souk_checkouts_total", "outcome" => "lane_full", "lane" => ticket.lane.clone()).increment(1);
            return Err(Refusal::Full);
        }
        None => return Err(Refusal::Unavailable),
    }
    state.schedule.pushed(lane, at);
    let (outcome, rx) = watch::channel(TicketStatus::Queued);
    let lane_name = ticket.lane.clone();
    let entry = Entry {
        ticket,
        products,
        outcome,
        lane,
        arrived: at,
        running: false,
        stored_before,
    };
    state.tickets.insert(id, entry);
    Ok(Admission {
        lane: lane_name,
        outcome: rx,
    })
}

/// Starts checkouts while there is room in flight.
async fn dispatch(myself: &ActorRef<DispatchMsg>, state: &mut DispatcherState) {
    if state.draining.is_some() {
        return;
    }
    #[cfg(test)]
    if state.held {
        return;
    }
    while state.in_flight < state.max_in_flight {
        let now = Instant::now();
        let Some(lane) = state.schedule.next(now) else {
            break;
        };
        let Some(popped) = call_lane(state, lane, |reply| LaneMsg::Pop { reply }).await else {
            // The lane failed; it is started again with its tickets.
            break;
        };
        let Some(Popped {
            ticket: id,
            arrived,
            next,
        }) = popped
        else {
            state.schedule.reset(lane, 0, None);
            continue;
        };
        state.schedule.taken(lane, 1, next);
        let Some(entry) = state.tickets.get_mut(&id) else {
            continue;
        };
        entry.running = true;
        let waited = now.saturating_duration_since(arrived);
        if let Some(metrics) = state.metrics.get(lane) {
            metrics.wait.record(waited.as_secs_f64());
        }
        publish::processing(&state.pipeline.events, id);
        state.in_flight += 1;
        let (ticket, stored_before) = (entry.ticket.clone(), entry.stored_before);
        let (pipeline, myself) = (state.pipeline.clone(), myself.clone());
        tokio::spawn(async move {
            let status = pipeline.process(&ticket, stored_before).await;
            if !matches!(status, TicketStatus::Completed { .. }) {
                pipeline.record(ticket.id, &status).await;
            }
            let _ = myself.send_message(DispatchMsg::Done {
                ticket: ticket.id,
                status,
            });
        });
    }
    state.in_flight_gauge.set(state.in_flight as f64);
}
