//! Part refunds: some of a paid order's money back to the buyer, through
//! the provider, once per idempotency key, never more than was paid. What
//! is left can be refunded in full (`refund`), which ends the order.

use souk_models::{Caller, Money, OrderStatus, Role, TimelineKind};

use super::OrderError;
use super::actor::{OrderState, append};

/// What a part refund asks for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PartRefund {
    pub amount: Money,
    pub reason: String,
    /// The request's idempotency key.
    pub key: String,
}

pub(super) async fn part(
    state: &mut OrderState,
    by: Caller,
    refund: PartRefund,
) -> Result<(), OrderError> {
    if by.role != Role::Admin {
        return Err(OrderError::Forbidden("an admin".into()));
    }
    if state.order.refunded_under(&refund.key) {
        return Ok(()); // This request was carried out already.
    }
    let status = state.order.status();
    if !matches!(
        status,
        OrderStatus::Paid | OrderStatus::Fulfilling | OrderStatus::Shipped | OrderStatus::Delivered
    ) {
        return Err(OrderError::NotRefundable { status });
    }
    let total = state.order.total;
    let left = state.order.left_to_refund();
    let refundable = Money::new(left, total.currency()).unwrap_or(Money::zero(total.currency()));
    if refund.amount.currency() != total.currency()
        || refund.amount.amount() <= 0
        || refund.amount.amount() > left
    {
        return Err(OrderError::RefundTooLarge { refundable });
    }
    give_back(state, refund.amount, &refund.key, "part").await?;
    let kind = TimelineKind::PartRefunded {
        by: by.user_id,
        amount: refund.amount,
        reason: refund.reason,
        key: refund.key,
    };
    append(state, status, kind).await
}

/// Sends `amount` of the order's payment back through the provider, once
/// per `key` there; counted as a refund of `kind`.
pub(super) async fn give_back(
    state: &OrderState,
    amount: Money,
    key: &str,
    kind: &'static str,
) -> Result<(), OrderError> {
    let provider_ref = state.order.payment_ref().unwrap_or_default();
    state
        .services
        .payments
        .refund_part(provider_ref, amount, key)
        .await?;
    metrics::counter!("souk_refunds_total", "kind" => kind).increment(1);
    Ok(())
}
