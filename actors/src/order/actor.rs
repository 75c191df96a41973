//! The order actor: loads its order on activation and applies transitions.

use std::sync::Arc;

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use souk_models::{
    AddressInput, Caller, Order, OrderEvent, OrderId, OrderStatus, ProductId, ReturnId, Role,
    Shipment, TimelineKind, Transition,
};
use time::OffsetDateTime;

use super::back_to_cart::{Carts, lines_back};
use super::deadlines::Deadlines;
use super::returns::{self, ReturnDecision, ReturnRequest};
use super::{OrderError, PartRefund, paying};
use crate::directory::Virtual;
use crate::events::EventBus;
use crate::inventory::{InventoryHandle, Settlement};
use crate::payments::{IntentStatus, PaymentProvider, PaymentUpdate};
use crate::store::Store;

pub(crate) type Reply = RpcReplyPort<Result<Order, OrderError>>;

pub(crate) enum OrderMsg {
    Get {
        reply: Reply,
    },
    Pay {
        by: Caller,
        card_token: String,
        reply: Reply,
    },
    Cancel {
        by: Caller,
        reply: Reply,
    },
    Ship {
        by: Caller,
        shipment: Shipment,
        reply: Reply,
    },
    Deliver {
        by: Caller,
        reply: Reply,
    },
    Refund {
        by: Caller,
        reply: Reply,
    },
    ChangeAddress {
        by: Caller,
        address: AddressInput,
        reply: Reply,
    },
    /// Refund part of the payment.
    RefundPart {
        by: Caller,
        refund: PartRefund,
        reply: Reply,
    },
    RequestReturn {
        by: Caller,
        request: ReturnRequest,
        reply: Reply,
    },
    DecideReturn {
        by: Caller,
        return_id: ReturnId,
        decision: ReturnDecision,
        reply: Reply,
    },
    /// The payment provider's event `event` (a verified webhook).
    Provider {
        event: String,
        update: PaymentUpdate,
        reply: Reply,
    },
    /// The payment deadline passed (from the deadline scheduler).
    Expire,
    /// The payment deadline is near: tell the buyer if still unpaid.
    WarnExpiry,
    #[cfg(test)]
    Crash,
}

#[derive(Clone)]
pub(crate) struct Services {
    pub store: Arc<dyn Store>,
    pub inventory: InventoryHandle,
    pub payments: Arc<dyn PaymentProvider>,
    pub events: EventBus,
    /// Where a failed expiry is asked for again.
    pub deadlines: Deadlines,
    /// Where an unpaid order's lines go back when it ends.
    pub carts: Carts,
}

pub(crate) struct OrderArgs {
    pub id: OrderId,
    pub services: Services,
    /// The order as just written, when the actor starts with it rather than
    /// reading it back from the store.
    pub placed: Option<Order>,
    /// False in a cluster when the order's partition is not placed on this
    /// node: the actor refuses to start.
    pub runs_here: bool,
}

pub(crate) struct OrderState {
    pub(super) services: Services,
    pub(super) order: Order,
    /// Expiries that failed in a row (e.g. its stock's shard was moving).
    expiry_failures: u32,
}

/// The wait before the `n`th retry of a failed expiry: one second,
/// doubling, at most a minute.
fn expiry_backoff(n: u32) -> std::time::Duration {
    std::time::Duration::from_secs(1u64 << n.min(6)).min(std::time::Duration::from_secs(60))
}

pub(crate) struct OrderActor;

impl Virtual for OrderActor {
    type Key = OrderId;
    const KIND: &'static str = "order";
}

impl Actor for OrderActor {
    type Msg = OrderMsg;
    type State = OrderState;
    type Arguments = OrderArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<OrderMsg>,
        args: OrderArgs,
    ) -> Result<OrderState, ActorProcessingErr> {
        if !args.runs_here {
            return Err(OrderError::Unavailable(format!(
                "order {} is placed on another node",
                args.id
            ))
            .into());
        }
        let order = match args.placed {
            Some(order) => order,
            None => args
                .services
                .store
                .get_order(args.id)
                .await?
                .ok_or(OrderError::NotFound)?,
        };
        // A deadline that passed while nothing ran (e.g. during a restart).
        if order.status() == OrderStatus::PendingPayment
            && order.payment_deadline <= OffsetDateTime::now_utc()
        {
            let _ = myself.send_message(OrderMsg::Expire);
        }
        Ok(OrderState {
            services: args.services,
            order,
            expiry_failures: 0,
        })
    }

    async fn handle(
        &self,
        _myself: ActorRef<OrderMsg>,
        msg: OrderMsg,
        state: &mut OrderState,
    ) -> Result<(), ActorProcessingErr> {
        let (reply, result) = match msg {
            OrderMsg::Expire => {
                match paying::expire(state).await {
                    Ok(()) => state.expiry_failures = 0,
                    Err(e) => {
                        let after = expiry_backoff(state.expiry_failures);
                        state.expiry_failures += 1;
                        tracing::warn!(order = %state.order.id, error = %e, retry_in = ?after, "expiry failed; it is tried again");
                        metrics::counter!("souk_order_expiry_retries_total").increment(1);
                        state.services.deadlines.retry(state.order.id, after);
                    }
                }
                (None, Ok(()))
            }
            OrderMsg::WarnExpiry => {
                super::publish::expiry_warning(&state.services.events, &state.order);
                (None, Ok(()))
            }
            OrderMsg::Get { reply } => (Some(reply), Ok(())),
            OrderMsg::Pay {
                by,
                card_token,
                reply,
            } => (Some(reply), paying::pay(state, by, &card_token).await),
            OrderMsg::RefundPart { by, refund, reply } => {
                (Some(reply), super::refunds::part(state, by, refund).await)
            }
            OrderMsg::RequestReturn { by, request, reply } => {
                (Some(reply), returns::request(state, by, request).await)
            }
            OrderMsg::DecideReturn {
                by,
                return_id,
                decision,
                reply,
            } => {
                let decided = returns::decide(state, by, return_id, decision).await;
                (Some(reply), decided)
            }
            OrderMsg::Provider {
                event,
                update,
                reply,
            } => (Some(reply), paying::provider(state, &event, update).await),
            OrderMsg::Cancel { by, reply } => (Some(reply), cancel(state, by).await),
            OrderMsg::Ship {
                by,
                shipment,
                reply,
            } => (Some(reply), ship(state, by, shipment).await),
            OrderMsg::Deliver { by, reply } => (Some(reply), deliver(state, by).await),
            OrderMsg::Refund { by, reply } => (Some(reply), refund(state, by).await),
            OrderMsg::ChangeAddress { by, address, reply } => {
                (Some(reply), change_address(state, by, address).await)
            }
            #[cfg(test)]
            OrderMsg::Crash => panic!("injected crash"),
        };
        if let Some(reply) = reply {
            let _ = reply.send(result.map(|()| state.order.clone()));
        }
        Ok(())
    }
}

/// Where `event` leads from the current status: `None` for a same-state repeat.
pub(super) fn next(
    state: &OrderState,
    event: OrderEvent,
) -> Result<Option<OrderStatus>, OrderError> {
    let from = state.order.status();
    match from.apply(event) {
        Ok(Transition::To(to)) => Ok(Some(to)),
        Ok(Transition::Unchanged) => Ok(None),
        Err(_) => Err(OrderError::Transition { from, event }),
    }
}

/// Appends an entry durably, then folds it into the state.
pub(super) async fn append(
    state: &mut OrderState,
    status: OrderStatus,
    kind: TimelineKind,
) -> Result<(), OrderError> {
    let entry = state.order.entry(status, kind, OffsetDateTime::now_utc());
    let mail = crate::mail::for_order_entry(&state.order, &entry);
    state
        .services
        .store
        .append_order_entry(state.order.id, &entry, &mail)
        .await?;
    let from = state.order.status();
    super::publish::entry(&state.services.events, &state.order, &entry);
    state.order.timeline.push(entry);
    if from != status {
        metrics::counter!("souk_order_transitions_total", "to" => status.as_str()).increment(1);
    }
    Ok(())
}

pub(super) fn products(state: &OrderState) -> Vec<ProductId> {
    state.order.lines.iter().map(|l| l.product_id).collect()
}

pub(super) async fn settle(state: &OrderState, action: Settlement) -> Result<(), OrderError> {
    Ok(state
        .services
        .inventory
        .settle(state.order.id, &products(state), action)
        .await?)
}

pub(super) fn require_buyer(state: &OrderState, by: Caller) -> Result<(), OrderError> {
    if by.user_id == state.order.buyer_id || by.role == Role::Admin {
        Ok(())
    } else {
        Err(OrderError::Forbidden("the buyer or an admin".into()))
    }
}

fn require_seller(state: &OrderState, by: Caller) -> Result<(), OrderError> {
    if by.role == Role::Admin || state.order.lines.iter().any(|l| l.seller_id == by.user_id) {
        Ok(())
    } else {
        Err(OrderError::Forbidden(
            "a seller of this order or an admin".into(),
        ))
    }
}

async fn cancel(state: &mut OrderState, by: Caller) -> Result<(), OrderError> {
    require_buyer(state, by)?;
    let from = state.order.status();
    let Some(to) = next(state, OrderEvent::Cancel)? else {
        return Ok(());
    };
    // Sold units on an unpaid order: its payment went through but a crash lost
    // the record, so it is refunded like a paid order's.
    let unpaid = from == OrderStatus::PendingPayment
        && !state
            .services
            .inventory
            .is_sold(state.order.id, &products(state))
            .await?;
    if unpaid {
        // Its payment is cancelled first, so it cannot go through later;
        // one that went through meanwhile is refunded (and one still
        // processing is refunded when the provider's event says it went
        // through).
        if let Some(reference) = state.order.payment_ref().map(str::to_owned) {
            let standing = state.services.payments.cancel(&reference).await?;
            if standing.status == IntentStatus::Succeeded {
                refund_payment(state).await?;
            }
        }
        settle(state, Settlement::Release).await?;
        append(state, to, TimelineKind::Cancelled { by: by.user_id }).await?;
        lines_back(state).await;
        Ok(())
    } else {
        refund_payment(state).await?;
        settle(state, Settlement::Restock).await?;
        append(state, to, TimelineKind::Cancelled { by: by.user_id }).await
    }
}

async fn ship(state: &mut OrderState, by: Caller, shipment: Shipment) -> Result<(), OrderError> {
    require_seller(state, by)?;
    let Some(to) = next(state, OrderEvent::Ship)? else {
        return Ok(());
    };
    append(state, to, TimelineKind::Shipped(shipment)).await
}

async fn deliver(state: &mut OrderState, by: Caller) -> Result<(), OrderError> {
    require_seller(state, by)?;
    let Some(to) = next(state, OrderEvent::Deliver)? else {
        return Ok(());
    };
    append(state, to, TimelineKind::Delivered).await?;
    settle(state, Settlement::Forget).await
}

async fn refund(state: &mut OrderState, by: Caller) -> Result<(), OrderError> {
    if by.role != Role::Admin {
        return Err(OrderError::Forbidden("an admin".into()));
    }
    let from = state.order.status();
    let Some(to) = next(state, OrderEvent::Refund)? else {
        return Ok(());
    };
    refund_payment(state).await?;
    // Units never shipped go back on sale; shipped ones are with the buyer.
    let action = if matches!(from, OrderStatus::Paid | OrderStatus::Fulfilling) {
        Settlement::Restock
    } else {
        Settlement::Forget
    };
    settle(state, action).await?;
    append(state, to, TimelineKind::Refunded { by: by.user_id }).await
}

pub(super) async fn refund_payment(state: &OrderState) -> Result<(), OrderError> {
    let Some(provider_ref) = state.order.payment_ref() else {
        return Ok(());
    };
    state.services.payments.refund(provider_ref).await?;
    metrics::counter!("souk_refunds_total", "kind" => "full").increment(1);
    Ok(())
}

async fn change_address(
    state: &mut OrderState,
    by: Caller,
    address: AddressInput,
) -> Result<(), OrderError> {
    require_buyer(state, by)?;
    let status = state.order.status();
    if !matches!(
        status,
        OrderStatus::PendingPayment | OrderStatus::Paid | OrderStatus::Fulfilling
    ) {
        return Err(OrderError::AddressLocked { status });
    }
    append(state, status, TimelineKind::AddressChanged(address)).await
}
