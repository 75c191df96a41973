//! The checkout queue: a lane actor per priority lane, chosen by membership
//! tier, drained by a dispatcher with a limit on checkouts in flight. Tickets are durable and
//! keyed by the client's idempotency key, so a retry never makes a second
//! order and a restart re-queues what was waiting.

mod charges;
mod dispatcher;
mod handle;
mod lane;
mod pipeline;
mod publish;
mod remote;
mod schedule;
#[cfg(test)]
mod tests;

use souk_models::{OrderId, Ticket};
use uuid::Uuid;

use crate::store::StoreError;
pub use handle::{CheckoutConfig, CheckoutHandle, CheckoutParts, LaneSettings};
pub use lane::LaneConfig;
pub use remote::{CheckoutCall, CheckoutReply};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum CheckoutError {
    #[error("the cart is empty")]
    EmptyCart,
    #[error("the {lane} checkout lane is full; retry in {retry_after_secs} s")]
    LaneFull { lane: String, retry_after_secs: u64 },
    #[error("checkout ticket not found")]
    NotFound,
    #[error("checkout unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a checkout request led to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CheckoutOutcome {
    /// The order was placed.
    Completed { ticket: Ticket, order_id: OrderId },
    /// The checkout was refused (`out_of_stock`, `empty_cart`,
    /// `product_unavailable`, `unavailable`).
    Rejected { ticket: Ticket, reason: String },
    /// Still waiting or being processed; follow the ticket.
    Pending {
        ticket: Uuid,
        lane: String,
        position: Option<usize>,
    },
}
