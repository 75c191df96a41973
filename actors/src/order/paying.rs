//! Paying for an order: confirmed on the server (a card token, or a payment
//! method), told by the provider's verified event (each applied once), and
//! at the payment deadline, where the provider is asked before the order
//! expires: a payment that went through pays it, any other is cancelled so
//! it can no longer succeed. No paid order expires; no expired order stays
//! charged.

use souk_models::{Caller, Money, OrderEvent, OrderStatus, ProductId, TimelineKind};
use time::OffsetDateTime;

use super::OrderError;
use super::actor::{OrderState, append, next, products, refund_payment, require_buyer, settle};
use super::back_to_cart::lines_back;
use crate::inventory::{InventoryError, Settlement};
use crate::payments::{IntentStatus, PaymentError, PaymentOutcome, PaymentUpdate};

pub(super) async fn pay(
    state: &mut OrderState,
    by: Caller,
    card_token: &str,
) -> Result<(), OrderError> {
    require_buyer(state, by)?;
    if state.order.status() == OrderStatus::PendingPayment
        && state.order.payment_deadline <= OffsetDateTime::now_utc()
    {
        expire(state).await?;
    }
    let Some(to) = next(state, OrderEvent::PaymentConfirmed)? else {
        return Ok(()); // Already paid: a duplicate confirmation changes nothing.
    };
    let provider_ref = state.order.payment_ref().unwrap_or_default().to_owned();
    let outcome = state
        .services
        .payments
        .confirm(&provider_ref, card_token)
        .await?;
    count(state, outcome_name(&outcome));
    match outcome {
        PaymentOutcome::Succeeded => record_paid(state, to, None).await,
        // Paid or declined later, as the provider's event tells: the order
        // stays awaiting payment meanwhile.
        PaymentOutcome::Pending => Ok(()),
        PaymentOutcome::Declined { reason } => {
            let status = state.order.status();
            let kind = TimelineKind::PaymentDeclined {
                reason: reason.clone(),
                event: None,
            };
            append(state, status, kind).await?;
            Err(OrderError::PaymentDeclined { reason })
        }
    }
}

/// The provider's event `event` about this order's payment, applied once.
pub(super) async fn provider(
    state: &mut OrderState,
    event: &str,
    update: PaymentUpdate,
) -> Result<(), OrderError> {
    if state.order.applied(event) {
        return Ok(());
    }
    if state.order.payment_ref() != Some(update.provider_ref()) {
        let other = update.provider_ref().to_owned();
        return Err(OrderError::Payment(PaymentError::UnknownPayment(other)));
    }
    let status = state.order.status();
    match update {
        PaymentUpdate::Succeeded { amount, .. } if amount != state.order.total => {
            metrics::counter!("souk_payment_mismatches_total").increment(1);
            tracing::error!(order = %state.order.id, %event, collected = ?amount, total = ?state.order.total, "a payment does not match its order; not applied");
            let kind = TimelineKind::PaymentMismatch {
                event: event.to_owned(),
                amount,
            };
            append(state, status, kind).await
        }
        PaymentUpdate::Succeeded { amount, .. } => match status {
            OrderStatus::PendingPayment => {
                let to = next(state, OrderEvent::PaymentConfirmed)?.unwrap_or(OrderStatus::Paid);
                count(state, "succeeded");
                record_paid(state, to, Some(event.to_owned())).await
            }
            // Collected after the order ended: the money goes back.
            OrderStatus::Expired | OrderStatus::Cancelled => {
                refund_payment(state).await?;
                metrics::counter!("souk_payment_mismatches_total").increment(1);
                tracing::warn!(order = %state.order.id, %event, "a payment succeeded after its order ended; refunded");
                let kind = TimelineKind::PaymentMismatch {
                    event: event.to_owned(),
                    amount,
                };
                append(state, status, kind).await
            }
            _ => Ok(()), // Paid already (confirmed on the server).
        },
        PaymentUpdate::Failed { reason, .. } if status == OrderStatus::PendingPayment => {
            if declined_on_confirm(state, &reason) {
                return Ok(()); // The confirmation's own answer recorded it.
            }
            count(state, "declined");
            let kind = TimelineKind::PaymentDeclined {
                reason,
                event: Some(event.to_owned()),
            };
            append(state, status, kind).await
        }
        PaymentUpdate::Refunded { amount, .. } => refunded_at_provider(state, event, amount).await,
        // A failure after the order moved on; subscriptions are not orders'.
        PaymentUpdate::Failed { .. } | PaymentUpdate::Subscription { .. } => Ok(()),
    }
}

/// The provider has refunded `refunded` of the payment in all. souk records
/// its own refunds as it makes them, so only more than those is new: a
/// refund made at the provider (its dashboard). All of it back refunds the
/// order (units not yet shipped go back on sale).
async fn refunded_at_provider(
    state: &mut OrderState,
    event: &str,
    refunded: Money,
) -> Result<(), OrderError> {
    let status = state.order.status();
    let total = state.order.total;
    let paid = matches!(
        status,
        OrderStatus::Paid | OrderStatus::Fulfilling | OrderStatus::Shipped | OrderStatus::Delivered
    );
    let more = refunded.amount() - state.order.part_refunded();
    if !paid || refunded.currency() != total.currency() || more <= 0 {
        return Ok(()); // Refunds souk made, or an order that ended.
    }
    let amount = Money::new(more, total.currency()).map_err(|_| OrderError::TotalTooLarge)?;
    let to = if refunded.amount() >= total.amount() {
        let action = if matches!(status, OrderStatus::Paid | OrderStatus::Fulfilling) {
            Settlement::Restock
        } else {
            Settlement::Forget
        };
        settle(state, action).await?;
        next(state, OrderEvent::Refund)?.unwrap_or(status)
    } else {
        status
    };
    let kind = TimelineKind::RefundedAtProvider {
        event: event.to_owned(),
        amount,
    };
    append(state, to, kind).await?;
    metrics::counter!("souk_refunds_total", "kind" => "at_provider").increment(1);
    tracing::info!(order = %state.order.id, %event, ?amount, "a refund made at the provider recorded");
    Ok(())
}

/// Whether the latest entry is this decline, recorded from the answer to a
/// confirmation made on the server (the provider then sends it as an event
/// too).
fn declined_on_confirm(state: &OrderState, reason: &str) -> bool {
    matches!(
        state.order.timeline.last().map(|e| &e.kind),
        Some(TimelineKind::PaymentDeclined { reason: r, event: None }) if r == reason
    )
}

/// The payment deadline passed.
pub(super) async fn expire(state: &mut OrderState) -> Result<(), OrderError> {
    let Some(to) = next(state, OrderEvent::PaymentDeadlinePassed).unwrap_or(None) else {
        return Ok(());
    };
    // Sold units mean the payment went through and only its record was lost
    // (a crash between the stock commit and the timeline entry): record it.
    let inventory = &state.services.inventory;
    if inventory.is_sold(state.order.id, &products(state)).await?
        && let Some(paid) = next(state, OrderEvent::PaymentConfirmed)?
    {
        append(state, paid, TimelineKind::PaymentSucceeded { event: None }).await?;
        tracing::warn!(order = %state.order.id, "payment recorded at its deadline: its stock was already sold");
        return Ok(());
    }
    if let Some(reference) = state.order.payment_ref().map(str::to_owned) {
        // An error (the provider unreachable) leaves the order as it is:
        // its expiry is tried again.
        let standing = state.services.payments.cancel(&reference).await?;
        match standing.status {
            IntentStatus::Succeeded if standing.amount == state.order.total => {
                reconciled(state, "paid");
                let paid = next(state, OrderEvent::PaymentConfirmed)?.unwrap_or(OrderStatus::Paid);
                tracing::info!(order = %state.order.id, "paid at its deadline: the provider had collected it");
                return record_paid(state, paid, None).await;
            }
            IntentStatus::Succeeded => {
                refund_payment(state).await?;
                reconciled(state, "refunded");
                let kind = TimelineKind::PaymentMismatch {
                    event: format!("deadline:{reference}"),
                    amount: standing.amount,
                };
                let status = state.order.status();
                append(state, status, kind).await?;
            }
            IntentStatus::Processing => {
                return Err(OrderError::Payment(PaymentError::Unavailable(
                    "the payment is still being processed".into(),
                )));
            }
            IntentStatus::AwaitingPayment | IntentStatus::Canceled => {}
        }
    }
    settle(state, Settlement::Release).await?;
    append(state, to, TimelineKind::Expired).await?;
    reconciled(state, "expired");
    tracing::info!(order = %state.order.id, "unpaid order expired; stock released");
    lines_back(state).await;
    Ok(())
}

/// Paid: the units sold, the entry written, the figures counted. Units
/// whose hold was released before the payment came are sold again if they
/// are there; if they sold meanwhile the payment goes back.
async fn record_paid(
    state: &mut OrderState,
    to: OrderStatus,
    event: Option<String>,
) -> Result<(), OrderError> {
    let lines: Vec<(ProductId, u32)> = state
        .order
        .lines
        .iter()
        .map(|l| (l.product_id, l.quantity.get()))
        .collect();
    match state
        .services
        .inventory
        .commit(state.order.id, &lines)
        .await
    {
        Ok(()) => {}
        Err(InventoryError::OutOfStock { .. }) => return sold_out(state, event).await,
        Err(e) => return Err(e.into()),
    }
    append(state, to, TimelineKind::PaymentSucceeded { event }).await?;
    let total = state.order.total;
    metrics::counter!("souk_revenue_minor_total", "currency" => total.currency().code().to_owned())
        .increment(total.amount().max(0) as u64);
    let units: u64 = state
        .order
        .lines
        .iter()
        .map(|l| u64::from(l.quantity.get()))
        .sum();
    metrics::counter!("souk_units_sold_total").increment(units);
    Ok(())
}

/// Paid too late for units that sold meanwhile: the money goes back, what
/// was sold to the order returns to stock, and the order is cancelled.
async fn sold_out(state: &mut OrderState, event: Option<String>) -> Result<(), OrderError> {
    refund_payment(state).await?;
    settle(state, Settlement::Restock).await?;
    settle(state, Settlement::Release).await?;
    let to = next(state, OrderEvent::Cancel)?.unwrap_or(OrderStatus::Cancelled);
    append(state, to, TimelineKind::SoldOut { event }).await?;
    metrics::counter!("souk_payment_mismatches_total").increment(1);
    tracing::warn!(order = %state.order.id, "paid after its units were released and sold; refunded and cancelled");
    Ok(())
}

fn outcome_name(outcome: &PaymentOutcome) -> &'static str {
    match outcome {
        PaymentOutcome::Succeeded => "succeeded",
        PaymentOutcome::Declined { .. } => "declined",
        PaymentOutcome::Pending => "pending",
    }
}

fn count(state: &OrderState, outcome: &'static str) {
    let provider = state.services.payments.name();
    metrics::counter!("souk_payments_total", "provider" => provider, "outcome" => outcome)
        .increment(1);
}

fn reconciled(state: &OrderState, outcome: &'static str) {
    let provider = state.services.payments.name();
    metrics::counter!("souk_payment_reconciliations_total", "provider" => provider, "outcome" => outcome)
        .increment(1);
}
