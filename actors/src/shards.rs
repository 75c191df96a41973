//! A fixed set of sharded actors under one supervisor, which restarts any shard
//! that fails; the restarted shard reloads its state from the store. Callers
//! address a shard by index and wait out a restart.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use ractor::rpc::CallResult;
use ractor::{
    Actor, ActorCell, ActorId, ActorProcessingErr, ActorRef, RpcReplyPort, SpawnErr,
    SupervisionEvent,
};

use crate::directory::CallFailure;

/// Pause before retrying a shard that failed to start (e.g. store down).
const RETRY_START: Duration = Duration::from_millis(500);
/// How long a call waits for a shard that is restarting.
const RESTART_WAIT: Duration = Duration::from_secs(2);

/// An actor kind run as a fixed number of shards.
pub(crate) trait Sharded: Actor<Arguments: Clone> {
    /// Label for metrics, e.g. `inventory_shard`.
    const KIND: &'static str;
    fn new() -> Self;
    /// The arguments of shard `shard`, from those shared by every shard.
    fn for_shard(base: &Self::Arguments, shard: usize) -> Self::Arguments;
}

/// Current actor of each shard; the supervisor replaces an entry when it
/// restarts that shard.
type Slots<A> = Arc<RwLock<Vec<Option<ActorRef<<A as Actor>::Msg>>>>>;

pub(crate) struct Shards<A: Sharded> {
    slots: Slots<A>,
    supervisor: ActorCell,
}

impl<A: Sharded> Clone for Shards<A> {
    fn clone(&self) -> Self {
        Self {
            slots: self.slots.clone(),
            supervisor: self.supervisor.clone(),
        }
    }
}

impl<A: Sharded> Shards<A> {
    /// Starts `count` (at least one) shards under a new supervisor.
    pub(crate) async fn start(base: A::Arguments, count: usize) -> Result<Self, SpawnErr> {
        let slots: Slots<A> = Arc::new(RwLock::new(vec![None; count.max(1)]));
        let args = SupervisorState::<A> {
            base,
            slots: slots.clone(),
            children: HashMap::new(),
        };
        let (supervisor, _) = Actor::spawn(None, Supervisor::<A>(PhantomData), args).await?;
        Ok(Self {
            slots,
            supervisor: supervisor.get_cell(),
        })
    }

    pub(crate) fn len(&self) -> usize {
        self.slots.read().map(|s| s.len()).unwrap_or(0)
    }

    /// The supervisor: stopping it stops every shard.
    pub(crate) fn supervisor(&self) -> ActorCell {
        self.supervisor.clone()
    }

    /// The shard's actor now, if it is running.
    pub(crate) fn get(&self, shard: usize) -> Option<ActorRef<A::Msg>> {
        self.slots
            .read()
            .ok()
            .and_then(|s| s.get(shard).cloned().flatten())
    }

    /// Calls `shard`, waiting out a restart (up to [`RESTART_WAIT`]).
    pub(crate) async fn call<T: Send + 'static>(
        &self,
        shard: usize,
        build: impl Fn(RpcReplyPort<T>) -> A::Msg,
        timeout: Duration,
    ) -> Result<T, CallFailure> {
        let deadline = tokio::time::Instant::now() + RESTART_WAIT;
        loop {
            if let Some(actor) = self.get(shard) {
                match actor.call(&build, Some(timeout)).await {
                    Ok(CallResult::Success(result)) => return Ok(result),
                    Ok(CallResult::Timeout) => return Err(CallFailure::Timeout),
                    // The actor stopped (crashed) before answering: retry on its successor.
                    Ok(CallResult::SenderError) | Err(_) => {}
                }
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(CallFailure::Gone);
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

struct Supervisor<A>(PhantomData<fn() -> A>);

struct SupervisorState<A: Sharded> {
    base: A::Arguments,
    slots: Slots<A>,
    children: HashMap<ActorId, usize>,
}

enum SupervisorMsg {
    Start(usize),
}

impl<A: Sharded> Actor for Supervisor<A> {
    type Msg = SupervisorMsg;
    type State = SupervisorState<A>;
    type Arguments = SupervisorState<A>;

    async fn pre_start(
        &self,
        myself: ActorRef<SupervisorMsg>,
        mut state: SupervisorState<A>,
    ) -> Result<SupervisorState<A>, ActorProcessingErr> {
        let count = state.slots.read().map(|s| s.len()).unwrap_or(0);
        for shard in 0..count {
            spawn_shard(&myself, &mut state, shard).await?;
        }
        metrics::gauge!("souk_actors_alive", "kind" => A::KIND).set(count as f64);
        Ok(state)
    }

    async fn handle(
        &self,
        myself: ActorRef<SupervisorMsg>,
        msg: SupervisorMsg,
        state: &mut SupervisorState<A>,
    ) -> Result<(), ActorProcessingErr> {
        let SupervisorMsg::Start(shard) = msg;
        if let Err(e) = spawn_shard(&myself, state, shard).await {
            tracing::error!(kind = A::KIND, shard, error = %e, "shard failed to start; retrying");
            myself.send_after(RETRY_START, move || SupervisorMsg::Start(shard));
        }
        Ok(())
    }

    async fn handle_supervisor_evt(
        &self,
        myself: ActorRef<SupervisorMsg>,
        event: SupervisionEvent,
        state: &mut SupervisorState<A>,
    ) -> Result<(), ActorProcessingErr> {
        match event {
            SupervisionEvent::ActorFailed(cell, error) => {
                if let Some(shard) = state.children.remove(&cell.get_id()) {
                    tracing::error!(kind = A::KIND, shard, %error, "shard failed; restarting");
                    metrics::counter!("souk_actor_restarts_total", "kind" => A::KIND).increment(1);
                    if let Ok(mut slots) = state.slots.write() {
                        slots[shard] = None;
                    }
                    let _ = myself.send_message(SupervisorMsg::Start(shard));
                }
            }
            SupervisionEvent::ActorTerminated(cell, _, _) => {
                state.children.remove(&cell.get_id());
            }
            _ => {}
        }
        Ok(())
    }
}

async fn spawn_shard<A: Sharded>(
    myself: &ActorRef<SupervisorMsg>,
    state: &mut SupervisorState<A>,
    shard: usize,
) -> Result<(), SpawnErr> {
    let args = A::for_shard(&state.base, shard);
    let (actor, _) = Actor::spawn_linked(None, A::new(), args, myself.get_cell()).await?;
    state.children.insert(actor.get_id(), shard);
    if let Ok(mut slots) = state.slots.write() {
        slots[shard] = Some(actor);
    }
    Ok(())
}
