//! What a provider's webhook tells souk, in souk's terms: a payment that
//! succeeded, failed or was refunded, or an event souk does not act on.

use serde::{Deserialize, Serialize};
use souk_models::{Money, OrderId};

/// One verified event from the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderEvent {
    /// The provider's event id (`evt_…`): an order applies each once.
    pub id: String,
    /// The provider's event type, e.g. `payment_intent.succeeded`.
    pub kind: String,
    /// When the provider made it (Unix seconds), if it says.
    pub created: Option<i64>,
    /// What it changes, if it is about an order's payment.
    pub update: Option<PaymentUpdate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PaymentUpdate {
    Succeeded {
        provider_ref: String,
        /// The order the payment names (its `metadata.order_id`).
        order: Option<OrderId>,
        /// What the provider collected.
        amount: Money,
    },
    Failed {
        provider_ref: String,
        order: Option<OrderId>,
        reason: String,
    },
    Refunded {
        provider_ref: String,
        order: Option<OrderId>,
        /// The total refunded so far.
        amount: Money,
    },
    /// A subscription changed (paid, renewal failed, cancelled, …): the
    /// provider is asked where it stands.
    Subscription { provider_ref: String },
}

impl PaymentUpdate {
    pub fn order(&self) -> Option<OrderId> {
        match self {
            Self::Succeeded { order, .. }
            | Self::Failed { order, .. }
            | Self::Refunded { order, .. } => *order,
            Self::Subscription { .. } => None,
        }
    }

    pub fn provider_ref(&self) -> &str {
        match self {
            Self::Succeeded { provider_ref, .. }
            | Self::Failed { provider_ref, .. }
            | Self::Refunded { provider_ref, .. }
            | Self::Subscription { provider_ref } => provider_ref,
        }
    }
}

/// Why a delivery was refused: nothing in it is applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("the signature header is missing or malformed")]
    MalformedSignature,
    #[error("no signature matches any configured secret")]
    BadSignature,
    #[error("the signature's timestamp is outside the tolerance window")]
    Stale,
    #[error("the event is not valid JSON of the expected shape: {0}")]
    MalformedEvent(String),
    #[error("the {0} payment provider does not take webhooks")]
    NotSupported(&'static str),
}
