//! Payments: one attempt to collect an order's total through a provider.

use serde::{Deserialize, Serialize};

use crate::{Money, OrderId, PaymentId, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    RequiresConfirmation,
    Succeeded,
    Declined,
    Refunded,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub id: PaymentId,
    pub order_id: OrderId,
    pub amount: Money,
    pub status: PaymentStatus,
    /// The provider's name: `sandbox` (the only provider so far).
    pub provider: String,
    /// The provider's reference, e.g. the sandbox's `pi_sandbox_…` id.
    pub provider_ref: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
}
