//! `OrderHandle`: places orders and drives them through their lifecycle.

use std::sync::Arc;
use std::time::Duration;

use ractor::RpcReplyPort;
use souk_models::{
    AddressInput, Caller, Money, Order, OrderId, OrderLine, OrderStatus, Role, Shipment,
    TimelineKind, Timestamp, UserId,
};
use time::OffsetDateTime;

use super::OrderError;
use super::actor::{OrderActor, OrderArgs, OrderMsg, Services};
use super::deadlines::Deadlines;
use crate::directory::{CallFailure, Directory, Passivation};
use crate::events::EventBus;
use crate::inventory::InventoryHandle;
use crate::payments::PaymentProvider;
use crate::store::Store;

/// An order to place; its stock is already reserved under `id`.
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub id: OrderId,
    pub buyer: UserId,
    pub lines: Vec<OrderLine>,
    pub address: AddressInput,
    pub payment_deadline: Timestamp,
}

/// A placed order's total and the secret the buyer's client confirms payment
/// with. (The order itself goes to its actor.)
#[derive(Debug, Clone)]
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
        let services = Services {
            store: store.clone(),
            inventory,
            payments,
            events,
        };
        let for_actors = services.clone();
        let factory = Arc::new(move |id| {
            (
                OrderActor,
                OrderArgs {
                    id,
                    services: for_actors.clone(),
                    placed: None,
                },
            )
        });
        let directory = Arc::new(
            Directory::start(factory, passivation)
                .await
                .map_err(|e| OrderError::Unavailable(e.to_string()))?,
        );
        let deadlines = Deadlines::start(directory.clone(), store.list_unpaid_orders().await?);
        Ok(Self {
            directory,
            deadlines,
            services,
            timeout,
        })
    }

    /// Creates the order (awaiting payment) and its payment, durably, and arms
    /// its deadline. The same `id` always gets the same payment.
    pub async fn place(&self, new: NewOrder) -> Result<PlacedOrder, OrderError> {
        let currency = new
            .lines
            .first()
            .map(|l| l.unit_price.currency())
            .ok_or(OrderError::TotalTooLarge)?;
        let total = new
            .lines
            .iter()
            .try_fold(Money::zero(currency), |sum, line| {
                line.unit_price
                    .times(line.quantity.get())
                    .and_then(|t| sum.plus(t))
            });
        let total = total.ok_or(OrderError::TotalTooLarge)?;
        let intent = self.services.payments.create(new.id, total).await?;
        let now = OffsetDateTime::now_utc();
        let mut order = Order {
            id: new.id,
            buyer_id: new.buyer,
            lines: new.lines,
            total,
            shipping_address: new.address,
            payment_deadline: new.payment_deadline,
            created_at: now,
            timeline: vec![],
        };
        for kind in [
            TimelineKind::Placed,
            TimelineKind::PaymentCreated {
                provider_ref: intent.provider_ref,
            },
        ] {
            let entry = order.entry(OrderStatus::PendingPayment, kind, now);
            order.timeline.push(entry);
        }
        self.services.store.create_order(&order).await?;
        for entry in &order.timeline {
            super::publish::entry(&self.services.events, &order, entry);
        }
        let (id, deadline) = (order.id, order.payment_deadline);
        // The buyer pays next: start the order's actor with what was just
        // written instead of reading it back then.
        let args = OrderArgs {
            id,
            services: self.services.clone(),
            placed: Some(order),
        };
        if let Err(e) = self.directory.get_with(id, |_| (OrderActor, args)).await {
            tracing::warn!(order = %id, error = %e, "order placed; its actor starts on its next request");
        }
        self.deadlines.register(id, deadline);
        metrics::counter!("souk_order_transitions_total", "to" => "pending_payment").increment(1);
        Ok(PlacedOrder {
            total,
            client_secret: intent.client_secret,
        })
    }

    /// The order, if `caller` is its buyer, a seller of one of its lines or an
    /// admin; anyone else is told it does not exist.
    pub async fn get(&self, id: OrderId, caller: Caller) -> Result<Order, OrderError> {
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

    pub async fn pay(
        &self,
        id: OrderId,
        by: Caller,
        card_token: String,
    ) -> Result<Order, OrderError> {
        self.act(id, by, |reply| OrderMsg::Pay {
            by,
            card_token: card_token.clone(),
            reply,
        })
        .await
    }

    pub async fn cancel(&self, id: OrderId, by: Caller) -> Result<Order, OrderError> {
        self.act(id, by, |reply| OrderMsg::Cancel { by, reply })
            .await
    }

    pub async fn ship(
        &self,
        id: OrderId,
        by: Caller,
        shipment: Shipment,
    ) -> Result<Order, OrderError> {
        self.act(id, by, |reply| OrderMsg::Ship {
            by,
            shipment: shipment.clone(),
            reply,
        })
        .await
    }

    pub async fn deliver(&self, id: OrderId, by: Caller) -> Result<Order, OrderError> {
        self.act(id, by, |reply| OrderMsg::Deliver { by, reply })
            .await
    }

    pub async fn refund(&self, id: OrderId, by: Caller) -> Result<Order, OrderError> {
        self.act(id, by, |reply| OrderMsg::Refund { by, reply })
            .await
    }

    pub async fn change_address(
        &self,
        id: OrderId,
        by: Caller,
        address: AddressInput,
    ) -> Result<Order, OrderError> {
        self.act(id, by, |reply| OrderMsg::ChangeAddress {
            by,
            address: address.clone(),
            reply,
        })
        .await
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

    pub async fn stop(&self) {
        self.deadlines.stop();
        self.directory.stop().await;
    }

    #[cfg(test)]
    pub(crate) fn directory_for_tests(&self) -> &Directory<OrderActor> {
        &self.directory
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
        self.get(id, by).await?;
        let order = self.call(id, build).await?;
        if order.status() != OrderStatus::PendingPayment {
            self.deadlines.clear(id);
        }
        Ok(order)
    }
}
