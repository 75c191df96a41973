//! Returns: a buyer asks, within the window after delivery, to send some
//! units back; a seller of every returned line, or an admin, approves (the
//! units' prices go back through the provider and, if chosen, the units go
//! back on sale) or rejects. Each step is one timeline entry; every side
//! effect before it is idempotent, so a retried decision does it once.

use std::collections::BTreeMap;

use souk_models::{
    Caller, Money, OrderEvent, OrderId, OrderStatus, ProductId, Return, ReturnId, ReturnLine,
    ReturnStatus, Role, TimelineKind,
};
use time::OffsetDateTime;

use super::OrderError;
use super::actor::{OrderState, append, next, require_buyer};
use super::refunds::give_back;

/// What a buyer's return asks for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReturnRequest {
    pub lines: Vec<ReturnLine>,
    pub reason: String,
    /// The request's idempotency key: the same key asks once.
    pub key: String,
    /// Days after delivery returns are taken (the marketplace's rule).
    pub window_days: u32,
}

/// A seller's or an admin's answer to a return.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum ReturnDecision {
    /// Refund the units; `restock` puts them back on sale.
    Approve {
        restock: bool,
    },
    Reject {
        reason: String,
    },
}

pub(super) async fn request(
    state: &mut OrderState,
    by: Caller,
    request: ReturnRequest,
) -> Result<(), OrderError> {
    require_buyer(state, by)?;
    if state.order.return_under(&request.key).is_some() {
        return Ok(()); // Asked before under this key.
    }
    for (product, quantity) in by_product(&request.lines) {
        let returnable = state.order.returnable(product);
        if quantity > returnable {
            return Err(OrderError::ReturnTooLarge {
                product,
                returnable,
            });
        }
    }
    let status = state.order.status();
    let Some(delivered) = state
        .order
        .delivered_at()
        .filter(|_| status == OrderStatus::Delivered)
    else {
        return Err(OrderError::NotReturnable { status });
    };
    let closes = delivered + time::Duration::days(i64::from(request.window_days));
    if OffsetDateTime::now_utc() > closes {
        return Err(OrderError::ReturnWindowClosed { closed_at: closes });
    }
    let kind = TimelineKind::ReturnRequested {
        return_id: ReturnId::new(),
        by: by.user_id,
        lines: request.lines,
        reason: request.reason,
        key: request.key,
    };
    append(state, status, kind).await?;
    metrics::counter!("souk_returns_total", "step" => "requested").increment(1);
    Ok(())
}

pub(super) async fn decide(
    state: &mut OrderState,
    by: Caller,
    id: ReturnId,
    decision: ReturnDecision,
) -> Result<(), OrderError> {
    let asked = state
        .order
        .find_return(id)
        .ok_or(OrderError::ReturnNotFound)?;
    require_deciders(state, by, &asked)?;
    let wanted = match decision {
        ReturnDecision::Approve { .. } => ReturnStatus::Approved,
        ReturnDecision::Reject { .. } => ReturnStatus::Rejected,
    };
    match asked.status {
        ReturnStatus::Requested => {}
        done if done == wanted => return Ok(()), // Decided so before.
        done => return Err(OrderError::ReturnDecided { status: done }),
    }
    match decision {
        ReturnDecision::Approve { restock } => approve(state, by, &asked, restock).await,
        ReturnDecision::Reject { reason } => {
            let status = state.order.status();
            let kind = TimelineKind::ReturnRejected {
                return_id: id,
                by: by.user_id,
                reason,
            };
            append(state, status, kind).await?;
            metrics::counter!("souk_returns_total", "step" => "rejected").increment(1);
            Ok(())
        }
    }
}

/// Refunds the returned units (no more than is left of the payment), puts
/// them back on sale if asked, then records the approval. An order whose
/// whole payment is back is refunded.
async fn approve(
    state: &mut OrderState,
    by: Caller,
    asked: &Return,
    restock: bool,
) -> Result<(), OrderError> {
    let status = state.order.status();
    if status != OrderStatus::Delivered {
        return Err(OrderError::NotRefundable { status });
    }
    let total = state.order.total;
    let left = state.order.left_to_refund();
    let worth = price(state, &asked.lines)?;
    let refund =
        Money::new(worth.min(left), total.currency()).map_err(|_| OrderError::TotalTooLarge)?;
    if refund.amount() > 0 {
        give_back(state, refund, &format!("return-{}", asked.id), "return").await?;
    }
    if restock {
        let lines: Vec<(ProductId, u32)> = by_product(&asked.lines).into_iter().collect();
        let key = OrderId(asked.id.as_uuid());
        state.services.inventory.take_back(key, &lines).await?;
    }
    let to = if refund.amount() == left {
        next(state, OrderEvent::Refund)?.unwrap_or(status)
    } else {
        status
    };
    let kind = TimelineKind::ReturnApproved {
        return_id: asked.id,
        by: by.user_id,
        refund,
        restock,
    };
    append(state, to, kind).await?;
    metrics::counter!("souk_returns_total", "step" => "approved").increment(1);
    Ok(())
}

/// Admins decide any return; a seller one whose every line is theirs.
fn require_deciders(state: &OrderState, by: Caller, asked: &Return) -> Result<(), OrderError> {
    let theirs = |line: &ReturnLine| {
        state
            .order
            .lines
            .iter()
            .any(|l| l.product_id == line.product_id && l.seller_id == by.user_id)
    };
    if by.role == Role::Admin || asked.lines.iter().all(theirs) {
        Ok(())
    } else {
        Err(OrderError::Forbidden(
            "a seller of the returned lines or an admin".into(),
        ))
    }
}

/// What `lines` cost the buyer (tax added on top included), in minor units.
fn price(state: &OrderState, lines: &[ReturnLine]) -> Result<i64, OrderError> {
    let mut sum: i64 = 0;
    for (product, units) in by_product(lines) {
        sum = state
            .order
            .units_worth(product, units)
            .and_then(|worth| sum.checked_add(worth))
            .ok_or(OrderError::TotalTooLarge)?;
    }
    Ok(sum)
}

/// Units per product, duplicates added up.
fn by_product(lines: &[ReturnLine]) -> BTreeMap<ProductId, u32> {
    let mut units: BTreeMap<ProductId, u32> = BTreeMap::new();
    for line in lines {
        *units.entry(line.product_id).or_default() += line.quantity.get();
    }
    units
}
