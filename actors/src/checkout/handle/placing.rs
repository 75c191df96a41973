//! Where the checkout dispatcher runs: always here on one node; in a
//! cluster only while this node holds the lease `checkout/0`, with the
//! other nodes' calls served here and this node's sent to its holder.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use ractor::{Actor, ActorRef};
use souk_models::{ProductId, Ticket};

use super::CheckoutHandle;
use crate::checkout::dispatcher::{CheckoutDispatcher, DispatchMsg, DispatcherArgs};
use crate::checkout::lane::LaneRefs;
use crate::checkout::pipeline::Pipeline;
use crate::checkout::remote::{CheckoutCall, CheckoutReply, NAME};
use crate::checkout::{CheckoutError, CheckoutOutcome};
use crate::remote::Route;
use crate::store::Fence;

/// A dispatcher running here.
#[derive(Clone)]
pub(super) struct Running {
    pub(super) dispatcher: ActorRef<DispatchMsg>,
    pub(super) lanes: LaneRefs,
    /// Set once the stored waiting tickets are queued again: only then
    /// are new tickets taken, so they queue behind the older ones.
    open: Arc<AtomicBool>,
}

impl Running {
    pub(super) fn is_open(&self) -> bool {
        self.open.load(Ordering::Acquire)
    }
}

impl CheckoutHandle {
    /// Sends calls for the dispatcher through `route` while it runs on
    /// another node (set once, by the cluster).
    pub fn set_route(&self, route: Arc<dyn Route>) {
        self.remote.set(route);
    }

    /// Runs the dispatcher here under `fence` (the epoch of its lease
    /// `checkout/0`): the tickets stored as waiting are queued again in
    /// their order, and the outcomes it records carry the fence. Only for a
    /// handle started with [`Self::start_placed`].
    pub async fn place(&self, fence: Fence) -> Result<(), CheckoutError> {
        let _one = self.placing.lock().await;
        self.stop_running().await;
        let pipeline = Arc::new(Pipeline {
            store: self.pipeline.store.fenced(fence),
            ..(*self.pipeline).clone()
        });
        let running = self.run(pipeline.clone()).await?;
        // Placement does not wait for the queue: other nodes' tickets are
        // answered "not here" (and sent again) until it is rebuilt.
        let handle = self.clone();
        tokio::spawn(async move {
            if let Err(e) = handle.requeue(&pipeline, &running, false).await {
                tracing::error!(error = %e, "the waiting checkout tickets could not be read; they queue at the dispatcher's next start");
            }
        });
        Ok(())
    }

    /// Stops the dispatcher here once the checkouts in flight are done;
    /// the tickets still waiting stay stored for its next node.
    pub async fn unplace(&self) {
        let _one = self.placing.lock().await;
        self.stop_running().await;
    }

    /// Starts a dispatcher here with `pipeline`; it takes new tickets once
    /// [`Self::requeue`] has queued the stored ones.
    pub(super) async fn run(&self, pipeline: Arc<Pipeline>) -> Result<Running, CheckoutError> {
        let config = &self.config;
        let lanes = LaneRefs::default();
        let args = DispatcherArgs {
            lanes: config.lanes.iter().map(|l| l.lane.clone()).collect(),
            refs: lanes.clone(),
            starvation: config.starvation,
            max_in_flight: config.max_in_flight,
            pipeline: pipeline.clone(),
            call_timeout: config.call_timeout,
        };
        let (dispatcher, _) = Actor::spawn(None, CheckoutDispatcher, args)
            .await
            .map_err(|e| CheckoutError::Unavailable(e.to_string()))?;
        let running = Running {
            dispatcher,
            lanes,
            open: Arc::default(),
        };
        *self.running.write().unwrap_or_else(|p| p.into_inner()) = Some(running.clone());
        Ok(running)
    }

    /// Queues the stored waiting tickets, oldest first, then opens
    /// `running` to new ones. With `carts`, each ticket's products are read
    /// from its cart (to refuse it at once if they sell out); otherwise the
    /// cart is read when the ticket's turn comes.
    pub(super) async fn requeue(
        &self,
        pipeline: &Pipeline,
        running: &Running,
        carts: bool,
    ) -> Result<(), CheckoutError> {
        for ticket in pipeline.store.list_queued_tickets().await? {
            let products = if carts {
                self.cart_products(&ticket).await
            } else {
                Vec::new()
            };
            let id = ticket.id;
            if let Err(e) = self.admit(Arc::new(ticket), products, true).await {
                tracing::warn!(ticket = %id, error = %e, "could not re-queue a ticket");
            }
        }
        running.open.store(true, Ordering::Release);
        Ok(())
    }

    pub(super) fn running(&self) -> Option<Running> {
        self.running
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Drains and stops the dispatcher running here, if any.
    pub(super) async fn stop_running(&self) {
        let running = self
            .running
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        let Some(Running { dispatcher, .. }) = running else {
            return;
        };
        let _ = dispatcher
            .call(
                |reply| DispatchMsg::Drain { reply },
                Some(self.config.call_timeout * 6),
            )
            .await;
        let _ = dispatcher
            .stop_and_wait(None, Some(self.config.call_timeout))
            .await;
    }

    /// Runs a call another node sent the dispatcher; `None` if the
    /// dispatcher does not run here (it moved).
    pub async fn serve(&self, call: CheckoutCall) -> Option<CheckoutReply> {
        if !self.running()?.is_open() {
            return None;
        }
        Some(self.serve_here(call).await)
    }

    pub(super) async fn serve_here(&self, call: CheckoutCall) -> CheckoutReply {
        match call {
            CheckoutCall::Admit {
                ticket,
                products,
                stored_before,
            } => {
                let ticket = Arc::new(*ticket);
                let outcome = match self.admit(ticket.clone(), products, stored_before).await {
                    Ok(admission) => self.wait(ticket, admission).await,
                    Err(e) => Err(e),
                };
                CheckoutReply::Outcome(Box::new(outcome))
            }
            CheckoutCall::Position { lane, ticket } => {
                CheckoutReply::Position(self.position_here(&lane, ticket).await)
            }
            CheckoutCall::Depths => CheckoutReply::Depths(self.depths_here().await),
        }
    }

    /// Sends `call` to the dispatcher, here or on its node.
    pub(super) async fn dispatch(
        &self,
        call: CheckoutCall,
    ) -> Result<CheckoutReply, CheckoutError> {
        // An admission waits for its outcome on the dispatcher's node.
        let timeout = self.config.call_timeout + self.config.wait;
        let local = || {
            self.running()
                .is_some_and(|r| r.is_open())
                .then(|| self.serve_here(call.clone()))
        };
        let reply = self.remote.run(NAME, &call, timeout, local).await;
        reply.map_err(CheckoutError::Unavailable)
    }

    /// Queues `ticket` and waits (up to the configured time) for its outcome.
    pub(super) async fn queue(
        &self,
        ticket: Arc<Ticket>,
        products: Vec<ProductId>,
        stored_before: bool,
    ) -> Result<CheckoutOutcome, CheckoutError> {
        let call = CheckoutCall::Admit {
            ticket: Box::new(Arc::unwrap_or_clone(ticket)),
            products,
            stored_before,
        };
        self.dispatch(call).await?.outcome()
    }
}
