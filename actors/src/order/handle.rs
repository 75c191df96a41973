//! `OrderHandle`: places orders and drives them through their lifecycle.
//!
//! On one node every order's actor runs here. In a cluster orders are
//! spread over [`PARTITIONS`](crate::order::PARTITIONS) partitions, each placed on one node by its
//! lease: a call for an order whose partition runs elsewhere goes to that
//! node, and the partition's node keeps its unpaid orders' deadlines
//! (`placing`).

mod new_order;
mod placing;

use std::sync::Arc;
use std::time::Duration;

use ractor::RpcReplyPort;
use serde::{Deserialize, Serialize};
use souk_models::{
    AddressInput, Caller, Money, Order, OrderId, OrderLine, OrderStatus, ReturnId, Role, Shipment,
    Timestamp, UserId,
};

use super::actor::{OrderActor, OrderArgs, OrderMsg, Services};
use super::back_to_cart::Carts;
use super::deadlines::{Deadlines, Unstarted};
use super::remote::{OrderOp, Partitions, partition_of};
use super::{OrderError, OrderFilter, OrderPage, PartRefund, ReturnDecision, ReturnRequest};
use crate::directory::{CallFailure, Directory, Passivation};
use crate::events::EventBus;
use crate::inventory::InventoryHandle;
use crate::payments::{PaymentProvider, PaymentUpdate};
use crate::remote::{Placement, Remote};
use crate::store::Store;

/// An order to place; its stock is already reserved under `id`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewOrder {
    pub id: OrderId,
    pub buyer: UserId,
    pub lines: Vec<OrderLine>,
    pub address: AddressInput,
    #[serde(with = "time::serde::rfc3339")]
    pub payment_deadline: Timestamp,
    /// Subtotal, shipping and tax as checkout priced them; `None` charges
    /// the lines alone.
    #[serde(default)]
    pub charges: Option<souk_models::Charges>,
    /// When the buyer is warned by mail if the order is still unpaid.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub expiry_warning_at: Option<Timestamp>,
}

/// A placed order's total and the secret the buyer's client confirms payment
/// with. (The order itself goes to its actor.)
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlacedOrder {
    pub total: Money,
    pub client_secret: String,
}

#[derive(Clone)]
pub struct OrderHandle {
    directory: Arc<Directory<OrderActor>>,
    deadlines: Deadlines,
    services: Services,
    timeout: Duration,
    /// In a cluster: the partitions placed here…
    partitions: Option<Arc<Partitions>>,
    /// …and how the others are reached.
    remote: Remote,
}

impl OrderHandle {
    /// Starts the order directory and re-arms the deadline of every unpaid order.
    pub async fn start(
        store: Arc<dyn Store>,
        inventory: InventoryHandle,
        payments: Arc<dyn PaymentProvider>,
        events: EventBus,
        passivation: Passivation,
        timeout: Duration,
    ) -> Result<Self, OrderError> {
        let here = Placement::Here;
        Self::start_in(
            here,
            store,
            inventory,
            payments,
            events,
            passivation,
            timeout,
        )
        .await
    }

    /// As [`Self::start`]; with [`Placement::ByLease`] (a node of a
    /// cluster) no order runs here until its partition is placed here
    /// ([`Self::place_partition`]).
    pub async fn start_in(
        placement: Placement,
        store: Arc<dyn Store>,
        inventory: InventoryHandle,
        payments: Arc<dyn PaymentProvider>,
        events: EventBus,
        passivation: Passivation,
        timeout: Duration,
    ) -> Result<Self, OrderError> {
        let (deadlines, unstarted) = Deadlines::new();
        let services = Services {
            store,
            inventory,
            payments,
            events,
            deadlines,
            carts: Carts::default(),
        };
        Self::launch(placement, services, unstarted, passivation, timeout).await
    }

    async fn launch(
        placement: Placement,
        services: Services,
        unstarted: Unstarted,
        passivation: Passivation,
        timeout: Duration,
    ) -> Result<Self, OrderError> {
        let partitions = (placement == Placement::ByLease).then(|| Arc::new(Partitions::default()));
        let (for_actors, placed) = (services.clone(), partitions.clone());
        let factory = Arc::new(move |id| {
            let (services, runs_here) = match &placed {
                None => (for_actors.clone(), true),
                Some(placed) => match placed.store_of(id) {
                    Some(store) => (
                        Services {
                            store,
                            ..for_actors.clone()
                        },
                        true,
                    ),
                    None => (for_actors.clone(), false),
                },
            };
            (
                OrderActor,
                OrderArgs {
                    id,
                    services,
                    placed: None,
                    runs_here,
                },
            )
        });
        let directory = Arc::new(
            Directory::start(factory, passivation)
                .await
                .map_err(|e| OrderError::Unavailable(e.to_string()))?,
        );
        let unpaid = match placement {
            Placement::Here => services.store.list_unpaid_orders().await?,
            // A partition's deadlines are armed when it is placed here.
            Placement::ByLease => Vec::new(),
        };
        let ours = partitions.clone();
        let deadlines = services.deadlines.clone();
        deadlines.start(
            unstarted,
            directory.clone(),
            unpaid,
            Arc::new(move |order| ours.as_ref().is_none_or(|p| p.holds(partition_of(order)))),
        );
        Ok(Self {
            directory,
            deadlines,
            services,
            timeout,
            partitions,
            remote: Remote::default(),
        })
    }

    /// Creates the order (awaiting payment) and its payment, durably, and arms
    /// its deadline. The same `id` always gets the same payment.
    pub async fn place(&self, new: NewOrder) -> Result<PlacedOrder, OrderError> {
        let order = new.id;
        self.dispatch(order, OrderOp::Place { new }).await?.placed()
    }

    /// The order, if `caller` is its buyer, a seller of one of its lines or an
    /// admin; anyone else is told it does not exist.
    pub async fn get(&self, id: OrderId, caller: Caller) -> Result<Order, OrderError> {
        self.dispatch(id, OrderOp::Get { caller }).await?.order()
    }

    pub async fn pay(
        &self,
        id: OrderId,
        by: Caller,
        card_token: String,
    ) -> Result<Order, OrderError> {
        self.dispatch(id, OrderOp::Pay { by, card_token })
            .await?
            .order()
    }

    /// Refunds part of a paid order's payment (admins); the same key
    /// refunds once.
    pub async fn refund_part(
        &self,
        id: OrderId,
        by: Caller,
        refund: PartRefund,
    ) -> Result<Order, OrderError> {
        self.dispatch(id, OrderOp::RefundPart { by, refund })
            .await?
            .order()
    }

    /// Asks to send some of a delivered order's units back (its buyer); the
    /// same key asks once.
    pub async fn request_return(
        &self,
        id: OrderId,
        by: Caller,
        request: ReturnRequest,
    ) -> Result<Order, OrderError> {
        self.dispatch(id, OrderOp::RequestReturn { by, request })
            .await?
            .order()
    }

    /// Approves or rejects a return (a seller of its lines or an admin).
    pub async fn decide_return(
        &self,
        id: OrderId,
        by: Caller,
        return_id: ReturnId,
        decision: ReturnDecision,
    ) -> Result<Order, OrderError> {
        let op = OrderOp::DecideReturn {
            by,
            return_id,
            decision,
        };
        self.dispatch(id, op).await?.order()
    }

    /// Applies the payment provider's verified event `event` to order `id`
    /// (each event once; an event for another payment is refused).
    pub async fn provider_event(
        &self,
        id: OrderId,
        event: String,
        update: PaymentUpdate,
    ) -> Result<Order, OrderError> {
        self.dispatch(id, OrderOp::Provider { event, update })
            .await?
            .order()
    }

    pub async fn cancel(&self, id: OrderId, by: Caller) -> Result<Order, OrderError> {
        self.dispatch(id, OrderOp::Cancel { by }).await?.order()
    }

    pub async fn ship(
        &self,
        id: OrderId,
        by: Caller,
        shipment: Shipment,
    ) -> Result<Order, OrderError> {
        self.dispatch(id, OrderOp::Ship { by, shipment })
            .await?
            .order()
    }

    pub async fn deliver(&self, id: OrderId, by: Caller) -> Result<Order, OrderError> {
        self.dispatch(id, OrderOp::Deliver { by }).await?.order()
    }

    pub async fn refund(&self, id: OrderId, by: Caller) -> Result<Order, OrderError> {
        self.dispatch(id, OrderOp::Refund { by }).await?.order()
    }

    pub async fn change_address(
        &self,
        id: OrderId,
        by: Caller,
        address: AddressInput,
    ) -> Result<Order, OrderError> {
        self.dispatch(id, OrderOp::ChangeAddress { by, address })
            .await?
            .order()
    }

    /// A buyer's orders, newest first.
    pub async fn for_buyer(
        &self,
        buyer: UserId,
        before: Option<OrderId>,
        limit: usize,
    ) -> Result<Vec<Order>, OrderError> {
        Ok(self
            .services
            .store
            .list_buyer_orders(buyer, before, limit)
            .await?)
    }

    /// Orders with a line of `seller`'s, newest first.
    pub async fn for_seller(
        &self,
        seller: UserId,
        before: Option<OrderId>,
        limit: usize,
    ) -> Result<Vec<Order>, OrderError> {
        Ok(self
            .services
            .store
            .list_seller_orders(seller, before, limit)
            .await?)
    }

    /// Orders matching `filter`, newest first, older than `before` (admins).
    pub async fn search(
        &self,
        filter: &OrderFilter,
        before: Option<OrderId>,
        limit: usize,
    ) -> Result<OrderPage, OrderError> {
        Ok(super::search::find(&self.services.store, filter, before, limit).await?)
    }

    pub async fn stop(&self) {
        self.deadlines.stop();
        self.directory.stop().await;
    }

    #[cfg(test)]
    pub(crate) fn directory_for_tests(&self) -> &Directory<OrderActor> {
        &self.directory
    }

    async fn get_here(&self, id: OrderId, caller: Caller) -> Result<Order, OrderError> {
        let order = self.call(id, |reply| OrderMsg::Get { reply }).await?;
        let visible = caller.role == Role::Admin
            || order.buyer_id == caller.user_id
            || order.lines.iter().any(|l| l.seller_id == caller.user_id);
        if visible {
            Ok(order)
        } else {
            Err(OrderError::NotFound)
        }
    }

    async fn call(
        &self,
        id: OrderId,
        build: impl Fn(RpcReplyPort<Result<Order, OrderError>>) -> OrderMsg,
    ) -> Result<Order, OrderError> {
        match self.directory.call(id, build, self.timeout).await {
            Ok(result) => result,
            // Activation loads the order; a missing one fails to start.
            Err(CallFailure::Activation(_))
                if self.services.store.get_order(id).await?.is_none() =>
            {
                Err(OrderError::NotFound)
            }
            Err(e) => Err(OrderError::Unavailable(format!("order {e}"))),
        }
    }

    /// Checks `by` may see the order, then asks its actor to act.
    async fn act(
        &self,
        id: OrderId,
        by: Caller,
        build: impl Fn(RpcReplyPort<Result<Order, OrderError>>) -> OrderMsg,
    ) -> Result<Order, OrderError> {
        self.get_here(id, by).await?;
        let order = self.call(id, build).await?;
        if order.status() != OrderStatus::PendingPayment {
            self.deadlines.clear(id);
        }
        Ok(order)
    }
}
