//! Virtual actors: addressed by key, activated on first use (their state loaded
//! in `pre_start`), passivated when idle, and simply activated again after a
//! crash, with their state reloaded from the store.
//!
//! A `Directory` maps keys to live actors and when each was last used. Every
//! actor is linked to the directory's watcher, which forgets actors as they stop
//! and counts crashes. One sweeper task per directory stops the actors idle
//! longer than the idle time, so an actor costs no timer of its own, and keeps
//! the number of live actors under a cap by stopping the least recently used:
//! memory stays bounded however fast new keys arrive.

use std::collections::HashMap;
use std::fmt::Debug;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, MutexGuard};

use std::time::Duration;

use ractor::rpc::CallResult;
use ractor::{
    Actor, ActorCell, ActorId, ActorProcessingErr, ActorRef, ActorStatus, RpcReplyPort, SpawnErr,
    SupervisionEvent,
};
use tokio::sync::Notify;
use tokio::time::Instant;

const STRIPES: usize = 64;
/// Attempts to reach an actor that stopped between lookup and delivery.
const ATTEMPTS: usize = 5;
/// Pause after stopping actors over the cap, so the watcher sees them stop
/// before the live actors are counted again.
const EVICTION_PAUSE: Duration = Duration::from_millis(20);
/// How long an actor being stopped gets to finish its message in hand.
const STOP_WAIT: Duration = Duration::from_secs(5);

/// When live actors are stopped: after `idle` without a message, and the least
/// recently used first once more than `max_live` are live (down to nine tenths
/// of it, so eviction runs in rounds rather than on every activation).
#[derive(Debug, Clone, Copy)]
pub struct Passivation {
    pub idle: Duration,
    pub max_live: usize,
}

/// Why a call to a virtual actor got no answer.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CallFailure {
    #[error("could not be activated: {0}")]
    Activation(String),
    #[error("did not answer in time")]
    Timeout,
    #[error("kept stopping before it answered")]
    Gone,
}

/// An actor kind that lives in a [`Directory`].
pub(crate) trait Virtual: Actor {
    type Key: Copy + Eq + Hash + Debug + Send + Sync + 'static;
    /// Label for metrics, e.g. `cart`.
    const KIND: &'static str;
}

struct Entries<A: Virtual> {
    live: HashMap<A::Key, (ActorRef<A::Msg>, Instant)>,
    ids: HashMap<ActorId, A::Key>,
}

type Shared<A> = Arc<Mutex<Entries<A>>>;

fn lock<A: Virtual>(entries: &Shared<A>) -> MutexGuard<'_, Entries<A>> {
    entries.lock().unwrap_or_else(|p| p.into_inner())
}

/// Builds the actor and its arguments for a key.
pub(crate) type Factory<A> =
    Arc<dyn Fn(<A as Virtual>::Key) -> (A, <A as Actor>::Arguments) + Send + Sync>;

pub(crate) struct Directory<A: Virtual> {
    entries: Shared<A>,
    activation: Vec<tokio::sync::Mutex<()>>,
    watcher: ActorCell,
    factory: Factory<A>,
    stop_sweeper: Arc<Notify>,
    over_cap: Arc<Notify>,
    max_live: usize,
    depth: metrics::Gauge,
}

impl<A: Virtual> Directory<A> {
    /// Starts the directory and its sweeper.
    pub(crate) async fn start(
        factory: Factory<A>,
        passivation: Passivation,
    ) -> Result<Self, SpawnErr> {
        let entries: Shared<A> = Arc::new(Mutex::new(Entries {
            live: HashMap::new(),
            ids: HashMap::new(),
        }));
        let (watcher, _) = Actor::spawn(
            None,
            Watcher::<A>(std::marker::PhantomData),
            entries.clone(),
        )
        .await?;
        let stop_sweeper = Arc::new(Notify::new());
        let over_cap = Arc::new(Notify::new());
        let sweeper = Sweeper::<A> {
            entries: entries.clone(),
            passivation,
            stop: stop_sweeper.clone(),
            over_cap: over_cap.clone(),
        };
        tokio::spawn(sweeper.run());
        Ok(Self {
            entries,
            activation: (0..STRIPES).map(|_| tokio::sync::Mutex::new(())).collect(),
            watcher: watcher.get_cell(),
            factory,
            stop_sweeper,
            over_cap,
            max_live: passivation.max_live,
            depth: crate::mailbox::depth(A::KIND),
        })
    }

    /// The live actor for `key`, activated if needed. Concurrent callers for one
    /// key get the same actor.
    pub(crate) async fn get(&self, key: A::Key) -> Result<ActorRef<A::Msg>, SpawnErr> {
        self.get_with(key, |key| (self.factory)(key)).await
    }

    /// As [`Self::get`], but an actor activated now is built by `make`
    /// instead of the factory: e.g. with state its caller already has.
    pub(crate) async fn get_with(
        &self,
        key: A::Key,
        make: impl FnOnce(A::Key) -> (A, A::Arguments),
    ) -> Result<ActorRef<A::Msg>, SpawnErr> {
        if let Some((actor, used)) = lock(&self.entries).live.get_mut(&key) {
            *used = Instant::now();
            return Ok(actor.clone());
        }
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        key.hash(&mut hasher);
        let _guard = self.activation[(hasher.finish() as usize) % STRIPES]
            .lock()
            .await;
        if let Some((actor, _)) = lock(&self.entries).live.get(&key) {
            return Ok(actor.clone());
        }
        let (actor, args) = make(key);
        let (actor, _) = Actor::spawn_linked(None, actor, args, self.watcher.clone()).await?;
        let mut entries = lock(&self.entries);
        entries.live.insert(key, (actor.clone(), Instant::now()));
        entries.ids.insert(actor.get_id(), key);
        metrics::counter!("souk_actor_activations_total", "kind" => A::KIND).increment(1);
        metrics::gauge!("souk_actors_alive", "kind" => A::KIND).set(entries.live.len() as f64);
        if entries.live.len() > self.max_live {
            self.over_cap.notify_one();
        }
        Ok(actor)
    }

    /// Calls the actor for `key`, activating it if needed; one that stops (idle
    /// or crashed) before answering is activated again and called again.
    pub(crate) async fn call<T: Send + 'static>(
        &self,
        key: A::Key,
        build: impl Fn(RpcReplyPort<T>) -> A::Msg,
        timeout: Duration,
    ) -> Result<T, CallFailure> {
        let _pending = crate::mailbox::Pending::new(self.depth.clone());
        for _ in 0..ATTEMPTS {
            let actor = self
                .get(key)
                .await
                .map_err(|e| CallFailure::Activation(e.to_string()))?;
            match actor.call(&build, Some(timeout)).await {
                Ok(CallResult::Success(result)) => return Ok(result),
                Ok(CallResult::Timeout) => return Err(CallFailure::Timeout),
                Ok(CallResult::SenderError) | Err(_) => self.forget(key, &actor),
            }
        }
        Err(CallFailure::Gone)
    }

    /// Forgets `actor` if it is still the one registered for `key` (a caller saw
    /// it stop before the watcher did).
    fn forget(&self, key: A::Key, actor: &ActorRef<A::Msg>) {
        let mut entries = lock(&self.entries);
        if entries
            .live
            .get(&key)
            .is_some_and(|(a, _)| a.get_id() == actor.get_id())
        {
            entries.live.remove(&key);
        }
    }

    /// How many actors are registered live now.
    #[cfg(test)]
    pub(crate) fn live(&self) -> usize {
        lock(&self.entries).live.len()
    }

    /// Whether `key` has a live actor now.
    #[cfg(test)]
    pub(crate) fn is_live(&self, key: A::Key) -> bool {
        lock(&self.entries).live.contains_key(&key)
    }

    /// Stops the live actors whose key matches `which` and waits until
    /// they have stopped.
    pub(crate) async fn stop_where(&self, which: impl Fn(&A::Key) -> bool) {
        let stopping: Vec<ActorRef<A::Msg>> = lock(&self.entries)
            .live
            .iter()
            .filter(|(key, _)| which(key))
            .map(|(_, (actor, _))| actor.clone())
            .collect();
        for actor in stopping {
            let _ = actor
                .get_cell()
                .stop_and_wait(Some("moved".into()), Some(STOP_WAIT))
                .await;
        }
    }

    /// Stops every actor of this kind, the sweeper and the watcher.
    pub(crate) async fn stop(&self) {
        self.stop_sweeper.notify_one();
        let _ = self.watcher.stop_and_wait(None, None).await;
    }
}

/// The task that passivates a directory's actors.
struct Sweeper<A: Virtual> {
    entries: Shared<A>,
    passivation: Passivation,
    stop: Arc<Notify>,
    over_cap: Arc<Notify>,
}

impl<A: Virtual> Sweeper<A> {
    /// Stops idle actors a few times per idle period, and the least recently
    /// used whenever an activation finds more than the cap live.
    async fn run(self) {
        let idle = self.passivation.idle;
        let mut every = tokio::time::interval((idle / 4).max(Duration::from_millis(100)));
        loop {
            tokio::select! {
                () = self.stop.notified() => return,
                () = self.over_cap.notified() => {
                    self.evict();
                    tokio::time::sleep(EVICTION_PAUSE).await;
                }
                _ = every.tick() => self.evict(),
            }
        }
    }

    /// Stops the actors idle too long and, beyond those, the least recently
    /// used until nine tenths of the cap are live. Actors already stopping are
    /// left alone. Callers that reach an actor while it stops re-activate it.
    fn evict(&self) {
        let now = Instant::now();
        let Passivation { idle, max_live } = self.passivation;
        let mut running: Vec<(Instant, ActorRef<A::Msg>)> = lock(&self.entries)
            .live
            .values()
            .filter(|(actor, _)| actor.get_status() == ActorStatus::Running)
            .map(|(actor, used)| (*used, actor.clone()))
            .collect();
        let stale = running
            .iter()
            .filter(|(used, _)| now.saturating_duration_since(*used) >= idle)
            .count();
        let keep = max_live - max_live / 10;
        let stop = stale.max(running.len().saturating_sub(keep));
        if stop == 0 {
            return;
        }
        if stop < running.len() {
            running.select_nth_unstable_by_key(stop, |(used, _)| *used);
        }
        let evicted = stop - stale;
        if evicted > 0 {
            metrics::counter!("souk_actor_evictions_total", "kind" => A::KIND)
                .increment(evicted as u64);
        }
        for (_, actor) in running.into_iter().take(stop) {
            actor.stop(Some("idle".into()));
        }
    }
}

/// Receives the lifecycle events of every actor in one directory.
struct Watcher<A: Virtual>(std::marker::PhantomData<fn() -> A>);

impl<A: Virtual> Actor for Watcher<A> {
    type Msg = ();
    type State = Shared<A>;
    type Arguments = Shared<A>;

    async fn pre_start(
        &self,
        _: ActorRef<()>,
        entries: Shared<A>,
    ) -> Result<Shared<A>, ActorProcessingErr> {
        Ok(entries)
    }

    async fn handle_supervisor_evt(
        &self,
        _: ActorRef<()>,
        event: SupervisionEvent,
        entries: &mut Shared<A>,
    ) -> Result<(), ActorProcessingErr> {
        let (id, failed) = match &event {
            SupervisionEvent::ActorTerminated(cell, _, _) => (cell.get_id(), None),
            SupervisionEvent::ActorFailed(cell, error) => (cell.get_id(), Some(error.to_string())),
            _ => return Ok(()),
        };
        let mut entries = lock(entries);
        if let Some(key) = entries.ids.remove(&id) {
            if entries
                .live
                .get(&key)
                .is_some_and(|(a, _)| a.get_id() == id)
            {
                entries.live.remove(&key);
            }
            if let Some(error) = failed {
                tracing::error!(kind = A::KIND, ?key, %error, "actor failed; its next message re-activates it from the store");
                metrics::counter!("souk_actor_restarts_total", "kind" => A::KIND).increment(1);
            } else {
                metrics::counter!("souk_actor_passivations_total", "kind" => A::KIND).increment(1);
            }
        }
        metrics::gauge!("souk_actors_alive", "kind" => A::KIND).set(entries.live.len() as f64);
        Ok(())
    }
}
