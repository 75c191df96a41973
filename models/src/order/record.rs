//! The order record: an immutable header and an append-only timeline. The
//! current state (status, shipment, address) is the fold of the timeline.

use serde::{Deserialize, Serialize};

use super::OrderStatus;
use super::ReturnLine;
use crate::{
    AddressInput, Charges, Money, OrderId, ProductId, Quantity, ReturnId, Timestamp, Title, UserId,
};

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// Where and how a shipped order travels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Shipment {
    pub carrier: String,
    pub tracking_number: String,
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date, example = "2026-12-01")]
    pub estimated_delivery: time::Date,
}

/// One product on an order, priced from the catalog when the order was created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OrderLine {
    pub product_id: ProductId,
    pub seller_id: UserId,
    #[schema(value_type = String)]
    pub title: Title,
    pub unit_price: Money,
    pub quantity: Quantity,
    /// The tax on the line's units (included in their price or added to
    /// it, as the order's `charges` say); absent on orders from before
    /// tax was charged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax: Option<Money>,
}

/// What happened, with the data it carried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TimelineKind {
    /// Stock reserved and the order created, awaiting payment.
    Placed,
    /// A payment was created with the provider.
    PaymentCreated {
        provider_ref: String,
    },
    /// Paid: confirmed on the server, or by the provider's event `event`.
    PaymentSucceeded {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event: Option<String>,
    },
    /// A card was declined; the order still awaits payment.
    PaymentDeclined {
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event: Option<String>,
    },
    /// The provider's event `event` reported a payment that does not match
    /// the order (`amount` collected): not applied; an admin looks.
    PaymentMismatch {
        event: String,
        amount: Money,
    },
    /// The payment deadline passed; stock was released.
    Expired,
    /// Paid (`event`: the provider's event that said so) after the order's
    /// units were released, and they had sold meanwhile: the payment was
    /// refunded and the order cancelled.
    SoldOut {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event: Option<String>,
    },
    Cancelled {
        by: UserId,
    },
    FulfilmentStarted,
    Shipped(Shipment),
    Delivered,
    Refunded {
        by: UserId,
    },
    /// Part of the payment went back to the buyer; the status is unchanged.
    /// `key` is the request's idempotency key: each key refunds once.
    PartRefunded {
        by: UserId,
        amount: Money,
        reason: String,
        key: String,
    },
    AddressChanged(AddressInput),
    /// The provider's event `event` said more of the payment was refunded
    /// than souk had refunded (a refund made in the provider's dashboard):
    /// `amount` more went back.
    RefundedAtProvider {
        event: String,
        amount: Money,
    },
    /// The buyer asked to send `lines` back; `key` is the request's
    /// idempotency key.
    ReturnRequested {
        return_id: ReturnId,
        by: UserId,
        lines: Vec<ReturnLine>,
        reason: String,
        key: String,
    },
    /// A seller of the return's lines or an admin approved it: `refund`
    /// went back to the buyer; `restock` says whether the units are on sale
    /// again.
    ReturnApproved {
        return_id: ReturnId,
        by: UserId,
        refund: Money,
        restock: bool,
    },
    ReturnRejected {
        return_id: ReturnId,
        by: UserId,
        reason: String,
    },
}

/// One entry of an order's timeline, numbered from 1 without gaps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TimelineEntry {
    pub seq: u64,
    /// The order's status after this entry.
    pub status: OrderStatus,
    #[serde(flatten)]
    pub kind: TimelineKind,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
}

/// An order: its header and timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub id: OrderId,
    pub buyer_id: UserId,
    pub lines: Vec<OrderLine>,
    /// What the buyer is charged: `charges.total` when there are charges.
    pub total: Money,
    /// Subtotal, shipping and tax, frozen at checkout; absent on orders
    /// from before shipping and tax were charged (their total is the lines').
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charges: Option<Charges>,
    pub shipping_address: AddressInput,
    #[serde(with = "time::serde::rfc3339")]
    pub payment_deadline: Timestamp,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    /// What the buyer's client confirms the payment with (Stripe.js):
    /// shown to the buyer only, never in the timeline or live events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// Empty in a stored header; filled when the order is loaded.
    #[serde(default)]
    pub timeline: Vec<TimelineEntry>,
}

impl Order {
    pub fn status(&self) -> OrderStatus {
        self.timeline
            .last()
            .map_or(OrderStatus::PendingPayment, |e| e.status)
    }

    /// The latest shipment, once shipped.
    pub fn shipment(&self) -> Option<&Shipment> {
        self.timeline.iter().rev().find_map(|e| match &e.kind {
            TimelineKind::Shipped(s) => Some(s),
            _ => None,
        })
    }

    /// The address the order ships to: the latest change, or the original.
    pub fn address(&self) -> &AddressInput {
        self.changed_address().unwrap_or(&self.shipping_address)
    }

    /// The latest address the buyer changed to, if they changed it.
    pub fn changed_address(&self) -> Option<&AddressInput> {
        self.timeline.iter().rev().find_map(|e| match &e.kind {
            TimelineKind::AddressChanged(a) => Some(a),
            _ => None,
        })
    }

    /// The provider's reference of the latest payment.
    pub fn payment_ref(&self) -> Option<&str> {
        self.timeline.iter().rev().find_map(|e| match &e.kind {
            TimelineKind::PaymentCreated { provider_ref } => Some(provider_ref.as_str()),
            _ => None,
        })
    }

    /// Whether the provider's event `id` was applied to this order already.
    pub fn applied(&self, id: &str) -> bool {
        self.timeline.iter().any(|e| match &e.kind {
            TimelineKind::PaymentSucceeded { event }
            | TimelineKind::SoldOut { event }
            | TimelineKind::PaymentDeclined { event, .. } => event.as_deref() == Some(id),
            TimelineKind::PaymentMismatch { event, .. }
            | TimelineKind::RefundedAtProvider { event, .. } => event == id,
            _ => false,
        })
    }

    /// The part refunds so far (returns' included), in minor units of the
    /// order's currency.
    pub fn part_refunded(&self) -> i64 {
        self.timeline
            .iter()
            .filter_map(|e| match &e.kind {
                TimelineKind::PartRefunded { amount, .. }
                | TimelineKind::RefundedAtProvider { amount, .. }
                | TimelineKind::ReturnApproved { refund: amount, .. } => Some(amount.amount()),
                _ => None,
            })
            .sum()
    }

    /// What is left of the payment to refund, in minor units.
    pub fn left_to_refund(&self) -> i64 {
        (self.total.amount() - self.part_refunded()).max(0)
    }

    /// Whether a part refund under idempotency key `key` was made.
    pub fn refunded_under(&self, key: &str) -> bool {
        self.timeline
            .iter()
            .any(|e| matches!(&e.kind, TimelineKind::PartRefunded { key: k, .. } if k == key))
    }

    /// Sellers with at least one line on this order.
    pub fn sellers(&self) -> Vec<UserId> {
        let mut sellers: Vec<UserId> = self.lines.iter().map(|l| l.seller_id).collect();
        sellers.sort();
        sellers.dedup();
        sellers
    }

    /// The next entry: numbered after the last.
    pub fn entry(&self, status: OrderStatus, kind: TimelineKind, at: Timestamp) -> TimelineEntry {
        TimelineEntry {
            seq: self.timeline.last().map_or(1, |e| e.seq + 1),
            status,
            kind,
            at,
        }
    }
}

#[cfg(test)]
mod tests {
    use time::OffsetDateTime;

    use super::*;
    use crate::Currency;

    fn address(line1: &str) -> AddressInput {
        AddressInput {
            name: "A".into(),
            line1: line1.into(),
            line2: None,
            city: "X".into(),
            region: None,
            postal_code: "1".into(),
            country: "GB".into(),
            phone: None,
        }
    }

    #[test]
    fn state_is_the_fold_of_the_timeline() {
        let now = OffsetDateTime::now_utc();
        let mut order = Order {
            id: OrderId::new(),
            buyer_id: UserId::new(),
            lines: vec![],
            total: Money::zero(Currency::USD),
            charges: None,
            shipping_address: address("1 Old St"),
            payment_deadline: now,
            created_at: now,
            client_secret: None,
            timeline: vec![],
        };
        assert_eq!(order.status(), OrderStatus::PendingPayment);
        let steps = [
            (OrderStatus::PendingPayment, TimelineKind::Placed),
            (
                OrderStatus::PendingPayment,
                TimelineKind::AddressChanged(address("2 New St")),
            ),
            (
                OrderStatus::Paid,
                TimelineKind::PaymentSucceeded { event: None },
            ),
        ];
        for (status, kind) in steps {
            let entry = order.entry(status, kind, now);
            order.timeline.push(entry);
        }
        assert_eq!(order.status(), OrderStatus::Paid);
        assert_eq!(order.address().line1, "2 New St");
        assert_eq!(
            order.timeline.iter().map(|e| e.seq).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        let json = serde_json::to_value(&order.timeline[1]).expect("the entry serialises");
        assert_eq!(json["type"], "address_changed");
    }
}
