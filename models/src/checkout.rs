//! Checkout tickets: a shopper's place in a checkout lane and its outcome.

use serde::{Deserialize, Serialize};

use crate::{AddressInput, OrderId, Timestamp, UserId};

/// A checkout request waiting in, or done with, the queue. Its id doubles as the
/// order's id, so every step of processing it is idempotent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: uuid::Uuid,
    pub user_id: UserId,
    /// The client's `Idempotency-Key`.
    pub idempotency_key: String,
    pub lane: String,
    pub shipping_address: AddressInput,
    pub status: TicketStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
}

impl Ticket {
    pub fn order_id(&self) -> OrderId {
        OrderId(self.id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum TicketStatus {
    Queued,
    Completed { order_id: OrderId },
    Rejected { reason: String },
}

impl TicketStatus {
    pub fn is_done(&self) -> bool {
        !matches!(self, TicketStatus::Queued)
    }
}
