//! What subscribing asks of the node: who the caller is now, whether they
//! may follow a topic, an order's durable timeline and a finished checkout
//! ticket's outcome. The app state answers in production; tests of the
//! transport answer with a stub.

use std::future::Future;

use serde_json::value::RawValue;
use souk_actors::events::{json_text, payloads};
use souk_actors::{CheckoutError, EventBus, OrderError, Topic};
use souk_models::{Caller, OrderId, Role, TimelineEntry, UserId};
use uuid::Uuid;

use crate::state::AppState;

/// A dependency failed; the client may retry.
#[derive(Debug)]
pub(super) struct Unavailable;

pub(super) trait Gate: Send + Sync + 'static {
    /// The live event bus.
    fn events(&self) -> &EventBus;

    /// The user as the store knows them now: `None` once the account is
    /// deleted or disabled.
    fn caller(
        &self,
        user: UserId,
    ) -> impl Future<Output = Result<Option<Caller>, Unavailable>> + Send;

    /// Whether `caller` may follow `topic`. A topic about something that does
    /// not exist is refused like one the caller may not see.
    fn may_follow(
        &self,
        topic: Topic,
        caller: Caller,
    ) -> impl Future<Output = Result<bool, Unavailable>> + Send;

    /// An order's timeline, oldest first.
    fn timeline(
        &self,
        order: OrderId,
    ) -> impl Future<Output = Result<Vec<TimelineEntry>, Unavailable>> + Send;

    /// A finished checkout ticket's `status` event data, from the store;
    /// `None` while it is queued (or if `caller` may not see it).
    fn ticket_outcome(
        &self,
        ticket: Uuid,
        caller: Caller,
    ) -> impl Future<Output = Result<Option<Box<RawValue>>, Unavailable>> + Send;
}

impl Gate for AppState {
    fn events(&self) -> &EventBus {
        &self.events
    }

    async fn caller(&self, user: UserId) -> Result<Option<Caller>, Unavailable> {
        let user = self.store.get_user(user).await.map_err(|e| {
            tracing::warn!(error = %e, "websocket: user lookup failed");
            Unavailable
        })?;
        Ok(user.filter(|u| !u.disabled).map(|u| Caller {
            user_id: u.id,
            role: u.role,
        }))
    }

    async fn may_follow(&self, topic: Topic, caller: Caller) -> Result<bool, Unavailable> {
        match topic {
            Topic::User(user) => Ok(user == caller.user_id),
            Topic::Seller(user) => {
                Ok(user == caller.user_id && matches!(caller.role, Role::Seller | Role::Admin))
            }
            Topic::AdminLive => Ok(caller.role == Role::Admin),
            Topic::Order(order) => match self.orders.get(order, caller).await {
                Ok(_) => Ok(true),
                Err(OrderError::NotFound) => Ok(false),
                Err(e) => {
                    tracing::warn!(error = %e, "websocket: order lookup failed");
                    Err(Unavailable)
                }
            },
            Topic::Checkout(ticket) => match self.checkout.status(ticket, caller).await {
                Ok(_) => Ok(true),
                Err(CheckoutError::NotFound) => Ok(false),
                Err(e) => {
                    tracing::warn!(error = %e, "websocket: ticket lookup failed");
                    Err(Unavailable)
                }
            },
        }
    }

    async fn timeline(&self, order: OrderId) -> Result<Vec<TimelineEntry>, Unavailable> {
        match self.store.get_order(order).await {
            Ok(Some(order)) => Ok(order.timeline),
            Ok(None) => Ok(Vec::new()),
            Err(e) => {
                tracing::warn!(error = %e, "websocket: order timeline read failed");
                Err(Unavailable)
            }
        }
    }

    async fn ticket_outcome(
        &self,
        ticket: Uuid,
        caller: Caller,
    ) -> Result<Option<Box<RawValue>>, Unavailable> {
        match self.checkout.status(ticket, caller).await {
            Ok((ticket, _)) => {
                Ok(payloads::ticket_outcome(ticket.id, &ticket.status).map(|o| json_text(&o)))
            }
            Err(CheckoutError::NotFound) => Ok(None),
            Err(e) => {
                tracing::warn!(error = %e, "websocket: ticket lookup failed");
                Err(Unavailable)
            }
        }
    }
}
