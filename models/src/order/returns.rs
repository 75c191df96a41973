//! Returns: a buyer sends delivered units back. Each return is three
//! timeline entries at most (requested, then approved or rejected), and its
//! state is their fold, like the order's.

use serde::{Deserialize, Serialize};

use super::{Order, TimelineKind};
use crate::{Money, ProductId, Quantity, ReturnId, Timestamp, UserId};

/// Units of one product of the order sent back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReturnLine {
    pub product_id: ProductId,
    pub quantity: Quantity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReturnStatus {
    /// Waiting for a seller of its lines or an admin.
    Requested,
    /// Refunded (and restocked if chosen).
    Approved,
    Rejected,
}

/// A return as its entries tell it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Return {
    pub id: ReturnId,
    pub status: ReturnStatus,
    pub lines: Vec<ReturnLine>,
    pub reason: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub requested_at: Timestamp,
    /// Who approved or rejected it, and when.
    pub decided_by: Option<UserId>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub decided_at: Option<Timestamp>,
    /// What went back to the buyer, once approved.
    pub refund: Option<Money>,
    /// Whether the units were put back on sale, once approved.
    pub restocked: Option<bool>,
    /// Why it was rejected.
    pub rejection: Option<String>,
}

impl Order {
    /// The order's returns, oldest first.
    pub fn returns(&self) -> Vec<Return> {
        let mut returns: Vec<Return> = Vec::new();
        for entry in &self.timeline {
            match &entry.kind {
                TimelineKind::ReturnRequested {
                    return_id,
                    lines,
                    reason,
                    ..
                } => returns.push(Return {
                    id: *return_id,
                    status: ReturnStatus::Requested,
                    lines: lines.clone(),
                    reason: reason.clone(),
                    requested_at: entry.at,
                    decided_by: None,
                    decided_at: None,
                    refund: None,
                    restocked: None,
                    rejection: None,
                }),
                TimelineKind::ReturnApproved {
                    return_id,
                    by,
                    refund,
                    restock,
                } => {
                    if let Some(r) = returns.iter_mut().find(|r| r.id == *return_id) {
                        r.status = ReturnStatus::Approved;
                        (r.decided_by, r.decided_at) = (Some(*by), Some(entry.at));
                        (r.refund, r.restocked) = (Some(*refund), Some(*restock));
                    }
                }
                TimelineKind::ReturnRejected {
                    return_id,
                    by,
                    reason,
                } => {
                    if let Some(r) = returns.iter_mut().find(|r| r.id == *return_id) {
                        r.status = ReturnStatus::Rejected;
                        (r.decided_by, r.decided_at) = (Some(*by), Some(entry.at));
                        r.rejection = Some(reason.clone());
                    }
                }
                _ => {}
            }
        }
        returns
    }

    /// The return `id`, if the order has it.
    pub fn find_return(&self, id: ReturnId) -> Option<Return> {
        self.returns().into_iter().find(|r| r.id == id)
    }

    /// The return requested under idempotency key `key`, if any.
    pub fn return_under(&self, key: &str) -> Option<ReturnId> {
        self.timeline.iter().find_map(|e| match &e.kind {
            TimelineKind::ReturnRequested {
                return_id, key: k, ..
            } if k == key => Some(*return_id),
            _ => None,
        })
    }

    /// Units of `product` that may still be asked back: those ordered less
    /// those in returns that are waiting or approved.
    pub fn returnable(&self, product: ProductId) -> u32 {
        let ordered: u32 = self
            .lines
            .iter()
            .filter(|l| l.product_id == product)
            .map(|l| l.quantity.get())
            .sum();
        let asked: u32 = self
            .returns()
            .iter()
            .filter(|r| r.status != ReturnStatus::Rejected)
            .flat_map(|r| r.lines.iter())
            .filter(|l| l.product_id == product)
            .map(|l| l.quantity.get())
            .sum();
        ordered.saturating_sub(asked)
    }

    /// When the order was delivered, if it was.
    pub fn delivered_at(&self) -> Option<Timestamp> {
        self.timeline
            .iter()
            .find(|e| matches!(e.kind, TimelineKind::Delivered))
            .map(|e| e.at)
    }
}
