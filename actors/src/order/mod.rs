//! `OrderActor`: one virtual actor per order, the only writer of its timeline.
//! Every transition is decided by the state machine in `souk_models::order`,
//! its side effects (stock, payment) are done first (each is idempotent), and
//! then the entry is appended; a retry after a failure is therefore safe.

mod actor;
mod back_to_cart;
mod deadlines;
mod handle;
mod paying;
mod publish;
mod refunds;
mod remote;
mod returns;
mod search;
#[cfg(test)]
mod tests;

use souk_models::{OrderEvent, OrderStatus};

use crate::inventory::InventoryError;
use crate::payments::PaymentError;
use crate::store::StoreError;
pub use handle::{NewOrder, OrderHandle, PlacedOrder};
pub use refunds::PartRefund;
pub use remote::{OrderCall, OrderOp, OrderReply, PARTITIONS, partition_of};
pub use returns::{ReturnDecision, ReturnRequest};
pub use search::{OrderFilter, OrderPage, SCAN_BUDGET};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum OrderError {
    #[error("order not found")]
    NotFound,
    #[error("cannot {event:?} an order that is {from:?}")]
    Transition {
        from: OrderStatus,
        event: OrderEvent,
    },
    #[error("only {0} may do this")]
    Forbidden(String),
    #[error("the address cannot change once an order is {status:?}")]
    AddressLocked { status: OrderStatus },
    #[error("the order total is too large")]
    TotalTooLarge,
    #[error("payment declined: {reason}")]
    PaymentDeclined { reason: String },
    #[error("an order that is {status:?} has no payment to refund")]
    NotRefundable { status: OrderStatus },
    #[error("at most {refundable:?} can be refunded")]
    RefundTooLarge { refundable: souk_models::Money },
    #[error("only a delivered order's units can be returned; this one is {status:?}")]
    NotReturnable { status: OrderStatus },
    #[error("returns for this order closed at {}", rfc3339(closed_at))]
    ReturnWindowClosed {
        #[serde(with = "time::serde::rfc3339")]
        closed_at: souk_models::Timestamp,
    },
    #[error("at most {returnable} units of product {product} can still be returned")]
    ReturnTooLarge {
        product: souk_models::ProductId,
        returnable: u32,
    },
    #[error("return not found")]
    ReturnNotFound,
    #[error("the return was {status:?} already")]
    ReturnDecided { status: souk_models::ReturnStatus },
    #[error(transparent)]
    Payment(#[from] PaymentError),
    #[error(transparent)]
    Inventory(#[from] InventoryError),
    #[error("order unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// `at` as RFC 3339, for messages.
fn rfc3339(at: &souk_models::Timestamp) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| at.to_string())
}
