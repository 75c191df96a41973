//! The data of events that both live publishing and replay must build alike.

use serde::Serialize;
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
        TimelineKind::PaymentSucceeded { .. } => "payment_succeeded",
        TimelineKind::PaymentDeclined { .. } => "payment_declined",
        TimelineKind::PaymentMismatch { .. } => "payment_mismatch",
        TimelineKind::Expired => "expired",
        TimelineKind::SoldOut { .. } => "sold_out",
        TimelineKind::Cancelled { .. } => "cancelled",
        TimelineKind::FulfilmentStarted => "fulfilment_started",
        TimelineKind::Shipped(_) => "shipped",
        TimelineKind::Delivered => "delivered",
        TimelineKind::Refunded { .. } => "refunded",
        TimelineKind::PartRefunded { .. } => "part_refunded",
        TimelineKind::RefundedAtProvider { .. } => "refunded_at_provider",
        TimelineKind::AddressChanged(_) => "address_changed",
        TimelineKind::ReturnRequested { .. } => "return_requested",
        TimelineKind::ReturnApproved { .. } => "return_approved",
        TimelineKind::ReturnRejected { .. } => "return_rejected",
    }
}

/// A finished checkout ticket's `status` event on `checkout:{ticket}`:
/// completed with its order, or rejected with the reason. `None` while queued.
pub fn ticket_outcome(ticket: Uuid, status: &TicketStatus) -> Option<TicketOutcome<'_>> {
    let (outcome, order_id, reason) = match status {
        TicketStatus::Completed { order_id } => ("completed", Some(*order_id), None),
        TicketStatus::Rejected { reason } => ("rejected", None, Some(reason.as_str())),
        TicketStatus::Queued => return None,
    };
    Some(TicketOutcome {
        ticket,
        status: outcome,
        order_id,
        reason,
    })
}

/// See [`ticket_outcome`].
#[derive(Serialize)]
pub struct TicketOutcome<'a> {
    ticket: Uuid,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    order_id: Option<OrderId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}
