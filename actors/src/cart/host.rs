//! Cart actors as entities. Every shopper's cart is its own actor: its own
//! state, one message at a time, activated on first use with its state loaded
//! from the store, passivated when idle, and restarted after a panic with its
//! state reloaded. They live in a fixed set of ractor `CartHost`s (by user id)
//! rather than one ractor task each, so a live cart costs about its state
//! (a ractor actor costs ~7 KiB in tasks and channels; see docs/BENCHMARKS.md).
//!
//! A host never waits on the store: loads and saves run as tasks that report
//! back, and a cart's next messages wait in its own queue meanwhile, so one
//! cart's write never delays another's.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use souk_models::{Cart, UserId};
use time::OffsetDateTime;
use tokio::time::Instant;

use super::CartError;
use super::ops::{CartOp, Decision, decide};
use crate::shards::Sharded;
use crate::store::{Fence, Store, StoreError};

pub(crate) type Reply<T> = RpcReplyPort<Result<T, CartError>>;

pub(crate) enum HostMsg {
    Op {
        user: UserId,
        op: CartOp,
        reply: Reply<Cart>,
    },
    Loaded {
        user: UserId,
        result: Result<Option<Cart>, StoreError>,
    },
    Saved {
        user: UserId,
        cart: Cart,
        result: Result<(), StoreError>,
        reply: Reply<Cart>,
    },
    /// Passivates the carts idle for longer than the idle time.
    Sweep,
    #[cfg(test)]
    Crash,
}

#[derive(Clone)]
pub(crate) struct HostArgs {
    pub shard: usize,
    pub store: Arc<dyn Store>,
    pub idle: Duration,
    /// Live carts per host, read by `CartHandle::live`.
    pub live: Arc<[AtomicUsize]>,
    /// Live carts with at least one line, per host.
    pub filled: Arc<[AtomicUsize]>,
}

/// One cart actor's state.
struct Entity {
    /// `None` until loaded.
    cart: Option<Cart>,
    /// A load or save is in flight; messages wait in `waiting` meanwhile.
    busy: bool,
    waiting: Vec<(CartOp, Reply<Cart>)>,
    /// Seconds since the host started, at the last message.
    used: u32,
}

impl Entity {
    fn filled(&self) -> bool {
        self.cart.as_ref().is_some_and(|c| !c.lines.is_empty())
    }
}

pub(crate) struct HostState {
    args: HostArgs,
    carts: HashMap<UserId, Entity>,
    /// Live carts with at least one line.
    filled: usize,
    started: Instant,
}

pub(crate) struct CartHost;

impl Sharded for CartHost {
    const KIND: &'static str = "cart_host";

    fn new() -> Self {
        CartHost
    }

    fn for_shard(base: &HostArgs, shard: usize) -> HostArgs {
        HostArgs {
            shard,
            ..base.clone()
        }
    }

    fn fenced(args: HostArgs, fence: &Fence) -> HostArgs {
        HostArgs {
            store: args.store.fenced(fence.clone()),
            ..args
        }
    }
}

impl Actor for CartHost {
    type Msg = HostMsg;
    type State = HostState;
    type Arguments = HostArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<HostMsg>,
        args: HostArgs,
    ) -> Result<HostState, ActorProcessingErr> {
        // A restarted host starts empty; its carts reload on their next message.
        args.live[args.shard].store(0, Ordering::Relaxed);
        args.filled[args.shard].store(0, Ordering::Relaxed);
        let every = (args.idle / 4).max(Duration::from_millis(100));
        myself.send_interval(every, || HostMsg::Sweep);
        Ok(HostState {
            args,
            carts: HashMap::new(),
            filled: 0,
            started: Instant::now(),
        })
    }

    async fn handle(
        &self,
        myself: ActorRef<HostMsg>,
        msg: HostMsg,
        state: &mut HostState,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            HostMsg::Op { user, op, reply } => state.receive(&myself, user, op, reply),
            HostMsg::Loaded { user, result } => state.loaded(&myself, user, result),
            HostMsg::Saved {
                user,
                cart,
                result,
                reply,
            } => {
                let mut change = None;
                if let Some(entity) = state.carts.get_mut(&user) {
                    entity.busy = false;
                    if result.is_ok() {
                        change = Some((entity.filled(), !cart.lines.is_empty()));
                        entity.cart = Some(cart.clone());
                    }
                }
                if let Some((was, now)) = change {
                    state.refilled(was, now);
                }
                let _ = reply.send(result.map(|()| cart).map_err(CartError::from));
                state.drain(&myself, user);
            }
            HostMsg::Sweep => state.sweep(),
            #[cfg(test)]
            HostMsg::Crash => panic!("injected host crash"),
        }
        Ok(())
    }
}

impl HostState {
    fn now(&self) -> u32 {
        u32::try_from(self.started.elapsed().as_secs()).unwrap_or(u32::MAX)
    }

    /// A saved cart went from `was` to `now` having lines.
    fn refilled(&mut self, was: bool, now: bool) {
        match (was, now) {
            (false, true) => {
                metrics::counter!("souk_carts_started_total").increment(1);
                self.filled += 1;
            }
            (true, false) => self.filled = self.filled.saturating_sub(1),
            _ => return,
        }
        self.count_filled();
    }

    /// Publishes the live carts with lines, over all hosts.
    fn count_filled(&self) {
        let filled = &self.args.filled;
        filled[self.args.shard].store(self.filled, Ordering::Relaxed);
        let total: usize = filled.iter().map(|n| n.load(Ordering::Relaxed)).sum();
        metrics::gauge!("souk_active_carts").set(total as f64);
    }

    /// Publishes this host's live carts, and the total over all hosts.
    fn count(&self) {
        let live = &self.args.live;
        live[self.args.shard].store(self.carts.len(), Ordering::Relaxed);
        let total: usize = live.iter().map(|n| n.load(Ordering::Relaxed)).sum();
        metrics::gauge!("souk_actors_alive", "kind" => "cart").set(total as f64);
    }

    /// A message for `user`'s cart: activates it, queues behind a load or
    /// save in flight, or handles it now.
    fn receive(
        &mut self,
        myself: &ActorRef<HostMsg>,
        user: UserId,
        op: CartOp,
        reply: Reply<Cart>,
    ) {
        let now = self.now();
        if let Some(entity) = self.carts.get_mut(&user) {
            entity.used = now;
            if entity.busy {
                entity.waiting.push((op, reply));
            } else {
                self.run(myself, user, op, reply);
            }
            return;
        }
        self.carts.insert(
            user,
            Entity {
                cart: None,
                busy: true,
                waiting: vec![(op, reply)],
                used: now,
            },
        );
        self.count();
        metrics::counter!("souk_actor_activations_total", "kind" => "cart").increment(1);
        let (store, host) = (self.args.store.clone(), myself.clone());
        tokio::spawn(async move {
            let result = store.get_cart(user).await;
            let _ = host.cast(HostMsg::Loaded { user, result });
        });
    }

    fn loaded(
        &mut self,
        myself: &ActorRef<HostMsg>,
        user: UserId,
        result: Result<Option<Cart>, StoreError>,
    ) {
        match result {
            Ok(found) => {
                if let Some(entity) = self.carts.get_mut(&user) {
                    entity.busy = false;
                    entity.cart = Some(found.unwrap_or_else(|| Cart {
                        user_id: user,
                        lines: Vec::new(),
                        updated_at: OffsetDateTime::now_utc(),
                    }));
                    if entity.filled() {
                        self.filled += 1;
                        self.count_filled();
                    }
                }
                self.drain(myself, user);
            }
            Err(e) => {
                tracing::warn!(%user, error = %e, "cart could not be loaded");
                if let Some(entity) = self.carts.remove(&user) {
                    for (_, reply) in entity.waiting {
                        let _ = reply.send(Err(CartError::Store(e.clone())));
                    }
                }
                self.count();
            }
        }
    }

    /// Handles the waiting messages of `user`'s cart until one starts a save.
    fn drain(&mut self, myself: &ActorRef<HostMsg>, user: UserId) {
        loop {
            let Some(entity) = self.carts.get_mut(&user) else {
                return;
            };
            if entity.busy || entity.waiting.is_empty() {
                return;
            }
            let (op, reply) = entity.waiting.remove(0);
            self.run(myself, user, op, reply);
        }
    }

    /// Handles one message for a loaded cart with nothing in flight.
    fn run(&mut self, myself: &ActorRef<HostMsg>, user: UserId, op: CartOp, reply: Reply<Cart>) {
        let Some(entity) = self.carts.get_mut(&user) else {
            return;
        };
        let Some(cart) = entity.cart.as_ref() else {
            return;
        };
        match catch_unwind(AssertUnwindSafe(|| decide(cart, op))) {
            Ok(Decision::Answer(result)) => {
                let _ = reply.send(result);
            }
            Ok(Decision::Save(mut next)) => {
                entity.busy = true;
                next.updated_at = OffsetDateTime::now_utc();
                let (store, host) = (self.args.store.clone(), myself.clone());
                tokio::spawn(async move {
                    let result = store.put_cart(&next).await;
                    let _ = host.cast(HostMsg::Saved {
                        user,
                        cart: next,
                        result,
                        reply,
                    });
                });
            }
            Ok(Decision::Replace(next)) => {
                let (was, now) = (entity.filled(), !next.lines.is_empty());
                entity.cart = Some(next.clone());
                self.refilled(was, now);
                let _ = reply.send(Ok(next));
            }
            Err(_) => {
                let _ = reply.send(Err(CartError::Unavailable(
                    "the cart failed and restarted; try again".to_owned(),
                )));
                self.restart(myself, user);
            }
        }
    }

    /// A cart's handler panicked: drop its state and reload it from the store
    /// for the messages still waiting (and any later ones).
    fn restart(&mut self, myself: &ActorRef<HostMsg>, user: UserId) {
        tracing::error!(%user, "cart actor failed; reloading it from the store");
        metrics::counter!("souk_actor_restarts_total", "kind" => "cart").increment(1);
        let removed = self.carts.remove(&user);
        if removed.as_ref().is_some_and(Entity::filled) {
            self.refilled(true, false);
        }
        let waiting = removed.map(|e| e.waiting).unwrap_or_default();
        self.count();
        for (op, reply) in waiting {
            self.receive(myself, user, op, reply);
        }
    }

    fn sweep(&mut self) {
        let (now, idle) = (self.now(), self.args.idle.as_secs());
        let before = self.carts.len();
        let mut emptied = 0;
        self.carts.retain(|_, e| {
            let keep =
                e.busy || !e.waiting.is_empty() || u64::from(now.saturating_sub(e.used)) < idle;
            if !keep && e.filled() {
                emptied += 1;
            }
            keep
        });
        if emptied > 0 {
            self.filled = self.filled.saturating_sub(emptied);
            self.count_filled();
        }
        let passivated = before - self.carts.len();
        if passivated > 0 {
            metrics::counter!("souk_actor_passivations_total", "kind" => "cart")
                .increment(passivated as u64);
            if self.carts.len() < self.carts.capacity() / 4 {
                self.carts.shrink_to_fit();
            }
        }
        self.count();
    }
}
