//! `InventorySupervisor`: starts the shards and restarts any that fails; the
//! restarted shard reloads its levels and holds from the store.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use ractor::{Actor, ActorCell, ActorId, ActorProcessingErr, ActorRef, SupervisionEvent};

use super::actor::{InventoryArgs, InventoryShard};
use super::handle::{Directory, InventoryHandle};
use crate::catalog::Catalog;
use crate::store::Store;

/// Pause before retrying a shard that failed to start (e.g. store down).
const RETRY_START: Duration = Duration::from_millis(500);

pub struct InventorySupervisor;

pub enum SupervisorMsg {
    Start(usize),
}

pub struct SupervisorArgs {
    base: InventoryArgs,
    directory: Directory,
}

pub struct SupervisorState {
    base: InventoryArgs,
    directory: Directory,
    children: HashMap<ActorId, usize>,
}

impl InventorySupervisor {
    /// Starts `shards` shards under a new supervisor and returns the handle to
    /// them, with the supervisor (stop it to stop every shard).
    pub async fn start(
        store: Arc<dyn Store>,
        catalog: Option<Arc<Catalog>>,
        shards: usize,
        call_timeout: Duration,
    ) -> Result<(InventoryHandle, ActorCell), ActorProcessingErr> {
        let shards = shards.max(1);
        let directory: Directory = Arc::new(RwLock::new(vec![None; shards]));
        let base = InventoryArgs {
            shard: 0,
            shards,
            store,
            catalog,
        };
        let args = SupervisorArgs {
            base,
            directory: directory.clone(),
        };
        let (supervisor, _) = Actor::spawn(None, InventorySupervisor, args).await?;
        Ok((
            InventoryHandle::new(directory, call_timeout),
            supervisor.get_cell(),
        ))
    }
}

impl Actor for InventorySupervisor {
    type Msg = SupervisorMsg;
    type State = SupervisorState;
    type Arguments = SupervisorArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<SupervisorMsg>,
        args: SupervisorArgs,
    ) -> Result<SupervisorState, ActorProcessingErr> {
        let mut state = SupervisorState {
            base: args.base,
            directory: args.directory,
            children: HashMap::new(),
        };
        for shard in 0..state.base.shards {
            spawn_shard(&myself, &mut state, shard).await?;
        }
        metrics::gauge!("souk_actors_alive", "kind" => "inventory_shard")
            .set(state.base.shards as f64);
        Ok(state)
    }

    async fn handle(
        &self,
        myself: ActorRef<SupervisorMsg>,
        msg: SupervisorMsg,
        state: &mut SupervisorState,
    ) -> Result<(), ActorProcessingErr> {
        let SupervisorMsg::Start(shard) = msg;
        if let Err(e) = spawn_shard(&myself, state, shard).await {
            tracing::error!(shard, error = %e, "inventory shard failed to start; retrying");
            myself.send_after(RETRY_START, move || SupervisorMsg::Start(shard));
        }
        Ok(())
    }

    async fn handle_supervisor_evt(
        &self,
        myself: ActorRef<SupervisorMsg>,
        event: SupervisionEvent,
        state: &mut SupervisorState,
    ) -> Result<(), ActorProcessingErr> {
        match event {
            SupervisionEvent::ActorFailed(cell, error) => {
                if let Some(shard) = state.children.remove(&cell.get_id()) {
                    tracing::error!(shard, %error, "inventory shard failed; restarting");
                    metrics::counter!("souk_actor_restarts_total", "kind" => "inventory_shard")
                        .increment(1);
                    if let Ok(mut directory) = state.directory.write() {
                        directory[shard] = None;
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

async fn spawn_shard(
    myself: &ActorRef<SupervisorMsg>,
    state: &mut SupervisorState,
    shard: usize,
) -> Result<(), ActorProcessingErr> {
    let args = InventoryArgs {
        shard,
        ..state.base.clone()
    };
    let (actor, _) = Actor::spawn_linked(None, InventoryShard, args, myself.get_cell()).await?;
    state.children.insert(actor.get_id(), shard);
    if let Ok(mut directory) = state.directory.write() {
        directory[shard] = Some(actor);
    }
    Ok(())
}
