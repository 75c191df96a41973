//! The checkout dispatcher in a cluster: one for the whole marketplace,
//! placed on one node by the lease `checkout/0`, and the calls the other
//! nodes send it (see [`crate::remote`]).

use serde::{Deserialize, Serialize};
use souk_models::{ProductId, Ticket};
use uuid::Uuid;

use super::{CheckoutError, CheckoutOutcome};

/// The dispatcher's lease name.
pub const NAME: &str = "checkout/0";

/// A call to the dispatcher.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "snake_case")]
pub enum CheckoutCall {
    /// Queue a stored ticket and wait (up to `checkout.wait_ms`) for its
    /// outcome.
    Admit {
        ticket: Box<Ticket>,
        products: Vec<ProductId>,
        stored_before: bool,
    },
    /// A waiting ticket's place in its lane.
    Position { lane: String, ticket: Uuid },
    /// Tickets waiting in each lane.
    Depths,
}

/// The dispatcher's answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckoutReply {
    Outcome(Box<Result<CheckoutOutcome, CheckoutError>>),
    Position(Option<usize>),
    Depths(Vec<(String, usize)>),
}

impl CheckoutReply {
    pub(crate) fn outcome(self) -> Result<CheckoutOutcome, CheckoutError> {
        match self {
            Self::Outcome(outcome) => *outcome,
            other => Err(CheckoutError::Unavailable(format!(
                "the dispatcher's node answered {other:?}"
            ))),
        }
    }
}
