//! A fixed set of sharded actors under one supervisor, which restarts any shard
//! that fails; the restarted shard reloads its state from the store. Callers
//! address a shard by index and wait out a restart.
//!
//! In a cluster the shards are *placed*: none starts by itself, and each runs
//! only while this node holds its lease, under a [`Fence`] that every store
//! write of the shard carries (see `souk_cluster::Placer`).

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
use crate::store::Fence;

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
    /// The same arguments for a shard placed under `fence`: its store
    /// writes carry the fence.
    fn fenced(args: Self::Arguments, fence: &Fence) -> Self::Arguments;
}

/// How long a shard being unplaced gets to finish its message in hand.
const STOP_WAIT: Duration = Duration::from_secs(5);

/// Current actor of each shard; the supervisor replaces an entry when it
/// restarts that shard.
type Slots<A> = Arc<RwLock<Vec<Option<ActorRef<<A as Actor>::Msg>>>>>;

pub(crate) struct Shards<A: Sharded> {
    slots: Slots<A>,
    supervisor: ActorRef<SupervisorMsg>,
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
        Self::spawn(base, count, false).await
    }

    /// A supervisor for `count` shards, none started until [`Self::place`]d.
    pub(crate) async fn start_placed(base: A::Arguments, count: usize) -> Result<Self, SpawnErr> {
        Self::spawn(base, count, true).await
    }

    async fn spawn(base: A::Arguments, count: usize, placed: bool) -> Result<Self, SpawnErr> {
        let slots: Slots<A> = Arc::new(RwLock::new(vec![None; count.max(1)]));
        let args = SupervisorState::<A> {
            base,
            slots: slots.clone(),
            children: HashMap::new(),
            placed: placed.then(HashMap::new),
        };
        let (supervisor, _) = Actor::spawn(None, Supervisor::<A>(PhantomData), args).await?;
        Ok(Self { slots, supervisor })
    }

    /// Starts `shard` here under `fence` (stopping it first if it runs).
    pub(crate) async fn place(&self, shard: usize, fence: Fence) -> Result<(), String> {
        match self
            .supervisor
            .call(|reply| SupervisorMsg::Place(shard, fence, reply), None)
            .await
        {
            Ok(CallResult::Success(placed)) => placed,
            _ => Err("the shards' supervisor is gone".to_owned()),
        }
    }

    /// Stops `shard` here; returns once it has stopped.
    pub(crate) async fn unplace(&self, shard: usize) {
        let _ = self
            .supervisor
            .call(|reply| SupervisorMsg::Unplace(shard, reply), None)
            .await;
    }

    pub(crate) fn len(&self) -> usize {
        self.slots.read().map(|s| s.len()).unwrap_or(0)
    }

    /// The supervisor: stopping it stops every shard.
    pub(crate) fn supervisor(&self) -> ActorCell {
        self.supervisor.get_cell()
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
    /// When placed: the fence of each shard placed here now.
    placed: Option<HashMap<usize, Fence>>,
}

impl<A: Sharded> SupervisorState<A> {
    /// Whether `shard` should run here (to start or restart it).
    fn runs(&self, shard: usize) -> bool {
        self.placed.as_ref().is_none_or(|p| p.contains_key(&shard))
    }

    fn child_of(&self, shard: usize) -> Option<ActorId> {
        self.children
            .iter()
            .find(|(_, s)| **s == shard)
            .map(|(id, _)| *id)
    }

    fn set_slot(&self, shard: usize, actor: Option<ActorRef<A::Msg>>) {
        if let Ok(mut slots) = self.slots.write() {
            slots[shard] = actor;
        }
    }
}

pub(crate) enum SupervisorMsg {
    Start(usize),
    Place(usize, Fence, RpcReplyPort<Result<(), String>>),
    Unplace(usize, RpcReplyPort<()>),
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
        if state.placed.is_none() {
            let count = state.slots.read().map(|s| s.len()).unwrap_or(0);
            for shard in 0..count {
                spawn_shard(&myself, &mut state, shard).await?;
            }
        }
        alive::<A>(&state);
        Ok(state)
    }

    async fn handle(
        &self,
        myself: ActorRef<SupervisorMsg>,
        msg: SupervisorMsg,
        state: &mut SupervisorState<A>,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            SupervisorMsg::Start(shard) => {
                if !state.runs(shard) || state.child_of(shard).is_some() {
                    return Ok(());
                }
                if let Err(e) = spawn_shard(&myself, state, shard).await {
                    tracing::error!(kind = A::KIND, shard, error = %e, "shard failed to start; retrying");
                    myself.send_after(RETRY_START, move || SupervisorMsg::Start(shard));
                }
            }
            SupervisorMsg::Place(shard, fence, reply) => {
                let placed = place(&myself, state, shard, fence).await;
                let _ = reply.send(placed);
            }
            SupervisorMsg::Unplace(shard, reply) => {
                if let Some(placed) = state.placed.as_mut() {
                    placed.remove(&shard);
                    stop_shard(state, shard).await;
                }
                let _ = reply.send(());
            }
        }
        alive::<A>(state);
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
                    state.set_slot(shard, None);
                    if state.runs(shard) {
                        let _ = myself.send_message(SupervisorMsg::Start(shard));
                    }
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
    let mut args = A::for_shard(&state.base, shard);
    if let Some(fence) = state.placed.as_ref().and_then(|p| p.get(&shard)) {
        args = A::fenced(args, fence);
    }
    let (actor, _) = Actor::spawn_linked(None, A::new(), args, myself.get_cell()).await?;
    state.children.insert(actor.get_id(), shard);
    state.set_slot(shard, Some(actor));
    Ok(())
}

async fn place<A: Sharded>(
    myself: &ActorRef<SupervisorMsg>,
    state: &mut SupervisorState<A>,
    shard: usize,
    fence: Fence,
) -> Result<(), String> {
    let count = state.slots.read().map(|s| s.len()).unwrap_or(0);
    if shard >= count {
        return Err(format!("there is no shard {shard} of {count}"));
    }
    let Some(placed) = state.placed.as_mut() else {
        return Err("these shards are not placed by lease".to_owned());
    };
    placed.insert(shard, fence);
    stop_shard(state, shard).await;
    spawn_shard(myself, state, shard).await.map_err(|e| {
        if let Some(placed) = state.placed.as_mut() {
            placed.remove(&shard);
        }
        e.to_string()
    })
}

/// Stops `shard`'s actor, if it runs, and waits until it has stopped.
async fn stop_shard<A: Sharded>(state: &mut SupervisorState<A>, shard: usize) {
    let running = state
        .slots
        .write()
        .ok()
        .and_then(|mut slots| slots[shard].take());
    if let Some(id) = state.child_of(shard) {
        state.children.remove(&id);
    }
    if let Some(actor) = running
        && let Err(e) = actor.get_cell().stop_and_wait(None, Some(STOP_WAIT)).await
    {
        tracing::warn!(kind = A::KIND, shard, error = %e, "shard did not stop in time");
    }
}

fn alive<A: Sharded>(state: &SupervisorState<A>) {
    metrics::gauge!("souk_actors_alive", "kind" => A::KIND).set(state.children.len() as f64);
}
