//! `CheckoutHandle`: submits checkouts and reports on tickets.
//!
//! On one node the dispatcher and its lanes run here. In a cluster one
//! dispatcher serves the whole marketplace: it runs on the node holding the
//! lease `checkout/0`, every node sends it the tickets it stores, and when
//! it moves the new node re-queues the stored waiting tickets in order
//! (`placing`).

mod placing;
mod quote;

use std::sync::{Arc, RwLock};
use std::time::Duration;

use ractor::rpc::CallResult;
use souk_models::{AddressInput, Caller, ProductId, Role, Ticket, TicketStatus, Tier, User};
use time::OffsetDateTime;
use uuid::Uuid;

use super::dispatcher::{Admission, DispatchMsg, Refusal};
use super::lane::{LaneConfig, LaneMsg};
use super::pipeline::Pipeline;
use super::publish;
use super::remote::{CheckoutCall, CheckoutReply};
use super::{CheckoutError, CheckoutOutcome};
use crate::cart::CartHandle;
use crate::catalog::Catalog;
use crate::events::EventBus;
use crate::inventory::InventoryHandle;
use crate::order::OrderHandle;
use crate::remote::Remote;
use crate::store::Store;
use placing::Running;

/// A lane and the membership tiers that use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaneSettings {
    pub lane: LaneConfig,
    pub tiers: Vec<Tier>,
}

#[derive(Debug, Clone)]
pub struct CheckoutConfig {
    /// In order; a tier listed by no lane uses the last one.
    pub lanes: Vec<LaneSettings>,
    pub max_in_flight: usize,
    /// A lane whose oldest ticket waited this long is served next.
    pub starvation: Duration,
    /// How long a checkout request waits for its outcome before answering
    /// with the ticket.
    pub wait: Duration,
    /// Time to pay before an order expires.
    pub payment_window: Duration,
    /// The buyer of an unpaid order is mailed this long before its
    /// deadline; zero mails no warning.
    pub expiry_warning: Duration,
    pub call_timeout: Duration,
    /// The tax on each order's lines.
    pub taxes: souk_models::TaxTable,
}

/// What checkout works with.
pub struct CheckoutParts {
    pub config: CheckoutConfig,
    pub store: Arc<dyn Store>,
    pub catalog: Arc<Catalog>,
    pub carts: CartHandle,
    pub inventory: InventoryHandle,
    pub orders: OrderHandle,
    pub events: EventBus,
}

#[derive(Clone)]
pub struct CheckoutHandle {
    /// The dispatcher and its lanes while they run here.
    running: Arc<RwLock<Option<Running>>>,
    pipeline: Arc<Pipeline>,
    config: Arc<CheckoutConfig>,
    /// In a cluster: how the dispatcher is reached when it runs elsewhere.
    remote: Remote,
    /// One placement change at a time.
    placing: Arc<tokio::sync::Mutex<()>>,
}

impl CheckoutHandle {
    /// Starts the dispatcher and re-queues the tickets that were waiting.
    pub async fn start(parts: CheckoutParts) -> Result<Self, CheckoutError> {
        let handle = Self::new(parts);
        let running = handle.run(handle.pipeline.clone()).await?;
        handle.requeue(&handle.pipeline, &running, true).await?;
        Ok(handle)
    }

    /// As [`Self::start`], for a node of a cluster: the dispatcher runs
    /// here only while this node holds its lease ([`Self::place`]).
    pub fn start_placed(parts: CheckoutParts) -> Self {
        Self::new(parts)
    }

    fn new(parts: CheckoutParts) -> Self {
        let CheckoutParts {
            config,
            store,
            catalog,
            carts,
            inventory,
            orders,
            events,
        } = parts;
        let pipeline = Arc::new(Pipeline {
            store,
            catalog,
            carts,
            inventory,
            orders,
            payment_window: config.payment_window,
            expiry_warning: config.expiry_warning,
            taxes: config.taxes.clone(),
            events,
        });
        Self {
            running: Arc::default(),
            pipeline,
            config: Arc::new(config),
            remote: Remote::default(),
            placing: Arc::default(),
        }
    }

    /// The lane for a membership tier.
    pub fn lane_for(&self, tier: Tier) -> &str {
        let lanes = &self.config.lanes;
        lanes
            .iter()
            .find(|l| l.tiers.contains(&tier))
            .or(lanes.last())
            .map_or("standard", |l| l.lane.name.as_str())
    }

    /// Checks out `user`'s cart. The same `key` always returns the same ticket
    /// (and so at most one order).
    pub async fn submit(
        &self,
        user: &User,
        key: &str,
        address: AddressInput,
    ) -> Result<CheckoutOutcome, CheckoutError> {
        let store = &self.pipeline.store;
        let cart = self
            .pipeline
            .carts
            .get(user.id)
            .await
            .map_err(|e| CheckoutError::Unavailable(e.to_string()))?;
        if cart.lines.is_empty() {
            // A repeat of a checkout that went through finds the cart cleared.
            // (A repeat that finds items meets its key in `create_ticket`.)
            return match store.find_ticket(user.id, key).await? {
                Some(existing) => self.follow(existing).await,
                None => Err(CheckoutError::EmptyCart),
            };
        }
        let products: Vec<ProductId> = cart.lines.iter().map(|l| l.product_id).collect();
        let sold_out = self.pipeline.all_sold_out(&products);
        let ticket = Ticket {
            id: Uuid::now_v7(),
            user_id: user.id,
            idempotency_key: key.to_owned(),
            lane: self.lane_for(user.tier).to_owned(),
            shipping_address: address,
            status: if sold_out {
                TicketStatus::Rejected {
                    reason: "out_of_stock".into(),
                }
            } else {
                TicketStatus::Queued
            },
            created_at: OffsetDateTime::now_utc(),
        };
        let stored = store.create_ticket(&ticket).await?;
        if stored.id != ticket.id || stored.status.is_done() {
            if sold_out && stored.id == ticket.id {
                metrics::counter!("souk_checkouts_total", "outcome" => "out_of_stock", "lane" => ticket.lane.clone()).increment(1);
                let events = &self.pipeline.events;
                publish::outcome(events, &ticket, &ticket.status, "out_of_stock");
            }
            return self.follow(stored).await;
        }
        self.queue(Arc::new(stored), products, false).await
    }

    /// A ticket as its owner (or an admin) sees it, with its place in line.
    pub async fn status(
        &self,
        id: Uuid,
        caller: Caller,
    ) -> Result<(Ticket, Option<(String, usize)>), CheckoutError> {
        let ticket = self
            .pipeline
            .store
            .get_ticket(id)
            .await?
            .ok_or(CheckoutError::NotFound)?;
        if ticket.user_id != caller.user_id && caller.role != Role::Admin {
            return Err(CheckoutError::NotFound);
        }
        let position = if ticket.status.is_done() {
            None
        } else {
            let place = self.position(&ticket.lane, id).await;
            place.map(|p| (ticket.lane.clone(), p))
        };
        Ok((ticket, position))
    }

    /// Stops starting checkouts and waits for those in flight; waiting tickets
    /// stay stored and are re-queued at the next start.
    pub async fn drain(&self) {
        let _one = self.placing.lock().await;
        self.stop_running().await;
    }

    async fn follow(&self, ticket: Ticket) -> Result<CheckoutOutcome, CheckoutError> {
        match ticket.status.clone() {
            TicketStatus::Completed { order_id } => {
                Ok(CheckoutOutcome::Completed { ticket, order_id })
            }
            TicketStatus::Rejected { reason } => Ok(CheckoutOutcome::Rejected { ticket, reason }),
            TicketStatus::Queued => {
                let products = self.cart_products(&ticket).await;
                self.queue(Arc::new(ticket), products, true).await
            }
        }
    }

    /// Queues `ticket`. `stored_before` says it may have been processed
    /// already (it was read back from the store), so its order may exist.
    async fn admit(
        &self,
        ticket: Arc<Ticket>,
        products: Vec<ProductId>,
        stored_before: bool,
    ) -> Result<Admission, CheckoutError> {
        let lane = ticket.lane.clone();
        let Some(Running { dispatcher, .. }) = self.running() else {
            return Err(CheckoutError::Unavailable(
                "the checkout dispatcher moved to another node".into(),
            ));
        };
        let call = dispatcher
            .call(
                |reply| DispatchMsg::Submit {
                    ticket: ticket.clone(),
                    products: products.clone(),
                    stored_before,
                    reply,
                },
                Some(self.config.call_timeout),
            )
            .await;
        match call {
            Ok(CallResult::Success(Ok(admission))) => Ok(admission),
            Ok(CallResult::Success(Err(Refusal::Full))) => Err(CheckoutError::LaneFull {
                lane,
                retry_after_secs: 2,
            }),
            Ok(CallResult::Success(Err(Refusal::Unavailable))) => Err(CheckoutError::Unavailable(
                format!("the {lane} checkout lane is restarting"),
            )),
            _ => Err(CheckoutError::Unavailable(
                "the checkout dispatcher is not answering".into(),
            )),
        }
    }

    /// Waits up to the configured time for the outcome.
    async fn wait(
        &self,
        ticket: Arc<Ticket>,
        mut admission: Admission,
    ) -> Result<CheckoutOutcome, CheckoutError> {
        // A wait of 0 answers with the ticket at once, even if the checkout
        // was quick enough to be done already.
        let done = if self.config.wait.is_zero() {
            None
        } else {
            let outcome = admission.outcome.wait_for(TicketStatus::is_done);
            let waited = tokio::time::timeout(self.config.wait, outcome).await;
            waited
                .ok()
                .and_then(|r| r.ok().map(|status| status.clone()))
        };
        let status = match done {
            Some(status) => status,
            None => {
                let position = self.position_here(&admission.lane, ticket.id).await;
                return Ok(CheckoutOutcome::Pending {
                    ticket: ticket.id,
                    lane: admission.lane,
                    position,
                });
            }
        };
        Ok(settled(Ticket {
            status,
            ..Arc::unwrap_or_clone(ticket)
        }))
    }

    /// Tickets waiting in each lane, in lane order (empty if the
    /// dispatcher cannot be reached).
    pub async fn lane_depths(&self) -> Vec<(String, usize)> {
        match self.dispatch(CheckoutCall::Depths).await {
            Ok(CheckoutReply::Depths(depths)) => depths,
            _ => Vec::new(),
        }
    }

    async fn depths_here(&self) -> Vec<(String, usize)> {
        let mut depths = Vec::new();
        let lanes = self.running().map(|r| r.lanes.all()).unwrap_or_default();
        for (name, lane) in lanes {
            let call = lane.call(
                |reply| LaneMsg::Depth { reply },
                Some(self.config.call_timeout),
            );
            if let Ok(CallResult::Success(depth)) = call.await {
                depths.push((name, depth));
            }
        }
        depths
    }

    /// A waiting ticket's 1-based place in its lane.
    async fn position(&self, lane: &str, ticket: Uuid) -> Option<usize> {
        let call = CheckoutCall::Position {
            lane: lane.to_owned(),
            ticket,
        };
        match self.dispatch(call).await {
            Ok(CheckoutReply::Position(position)) => position,
            _ => None,
        }
    }

    async fn position_here(&self, lane: &str, ticket: Uuid) -> Option<usize> {
        let lane = self.running()?.lanes.get(lane)?;
        let call = lane.call(
            |reply| LaneMsg::Position { ticket, reply },
            Some(self.config.call_timeout),
        );
        match call.await {
            Ok(CallResult::Success(position)) => position,
            _ => None,
        }
    }

    #[cfg(test)]
    pub(crate) fn hold(&self, held: bool) {
        if let Some(running) = self.running() {
            let _ = running.dispatcher.send_message(DispatchMsg::Hold(held));
        }
    }

    /// Test hook: makes a lane's actor fail; returns the failed actor's id.
    #[cfg(test)]
    pub(crate) fn break_lane(&self, lane: &str) -> Option<ractor::ActorId> {
        let lane = self.running()?.lanes.get(lane)?;
        let _ = lane.send_message(LaneMsg::Panic);
        Some(lane.get_id())
    }

    #[cfg(test)]
    pub(crate) fn pipeline_for_tests(&self) -> &Pipeline {
        &self.pipeline
    }

    #[cfg(test)]
    pub(crate) fn lane_actor(&self, lane: &str) -> Option<ractor::ActorId> {
        self.running()?.lanes.get(lane).map(|l| l.get_id())
    }

    async fn cart_products(&self, ticket: &Ticket) -> Vec<ProductId> {
        match self.pipeline.carts.get(ticket.user_id).await {
            Ok(cart) => cart.lines.iter().map(|l| l.product_id).collect(),
            Err(_) => Vec::new(),
        }
    }
}

/// The outcome of a ticket that is done.
fn settled(ticket: Ticket) -> CheckoutOutcome {
    match ticket.status.clone() {
        TicketStatus::Completed { order_id } => CheckoutOutcome::Completed { ticket, order_id },
        TicketStatus::Rejected { reason } => CheckoutOutcome::Rejected { ticket, reason },
        TicketStatus::Queued => CheckoutOutcome::Pending {
            ticket: ticket.id,
            lane: ticket.lane,
            position: None,
        },
    }
}
