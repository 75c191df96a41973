//! The data of events that both live publishing and replay must build alike.

use serde_json::{Value, json};
use souk_models::{OrderId, TicketStatus, TimelineEntry, TimelineKind};
use uuid::Uuid;

/// An order timeline entry as an `order:{id}` event: its type (the entry's
/// kind) and data (the entry with the order id: status, time, and for a
/// shipment the carrier, tracking number and estimated delivery).
pub fn order_entry(order: OrderId, entry: &TimelineEntry) -> (&'static str, Value) {
    let mut data = serde_json::to_value(entry).unwrap_or_else(|_| json!({}));
    if let Value::Object(fields) = &mut data {
        fields.insert("order_id".into(), json!(order));
        fields.remove("type");
    }
    (kind_name(&entry.kind), data)
}

/// The snake_case name of a timeline kind, as in its JSON `type`.
pub fn kind_name(kind: &TimelineKind) -> &'static str {
    match kind {
        TimelineKind::Placed => "placed",
        TimelineKind::PaymentCreated { .. } => "payment_created",
        TimelineKind::PaymentSucceeded => "payment_succeeded",
        TimelineKind::PaymentDeclined { .. } => "payment_declined",
        TimelineKind::Expired => "expired",
        TimelineKind::Cancelled { .. } => "cancelled",
        TimelineKind::FulfilmentStarted => "fulfilment_started",
        TimelineKind::Shipped(_) => "shipped",
        TimelineKind::Delivered => "delivered",
        TimelineKind::Refunded { .. } => "refunded",
        TimelineKind::AddressChanged(_) => "address_changed",
    }
}

/// A finished checkout ticket's `status` event on `checkout:{ticket}`:
/// completed with its order, or rejected with the reason. `None` while queued.
pub fn ticket_outcome(ticket: Uuid, status: &TicketStatus) -> Option<Value> {
    match status {
        TicketStatus::Completed { order_id } => {
            Some(json!({ "ticket": ticket, "status": "completed", "order_id": order_id }))
        }
        TicketStatus::Rejected { reason } => {
            Some(json!({ "ticket": ticket, "status": "rejected", "reason": reason }))
        }
        TicketStatus::Queued => None,
    }
}
