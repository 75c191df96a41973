//! Which order events mail the buyer: the outbox messages to store with an
//! order or with a timeline entry, and the template each entry is written
//! with when sent.

use souk_models::{Order, TimelineEntry, TimelineKind, Timestamp};

use super::Template;
use crate::store::{MailAbout, OutboxMail};

/// The template for an entry of this kind, if the buyer is mailed about it.
pub(super) fn template_of(kind: &TimelineKind) -> Option<Template> {
    Some(match kind {
        TimelineKind::Placed => Template::OrderPlaced,
        TimelineKind::PaymentSucceeded { .. } => Template::PaymentReceived,
        TimelineKind::Shipped(_) => Template::Shipped,
        TimelineKind::Delivered => Template::Delivered,
        TimelineKind::Refunded { .. }
        | TimelineKind::PartRefunded { .. }
        | TimelineKind::RefundedAtProvider { .. }
        | TimelineKind::SoldOut { .. } => Template::Refund,
        TimelineKind::ReturnApproved { refund, .. } if refund.amount() > 0 => Template::Refund,
        _ => return None,
    })
}

/// The mail placing `order` sends: the confirmation and, when
/// `expiry_warning_at` is given and still ahead, a warning then if the
/// order is still unpaid (dropped when due otherwise).
pub fn for_new_order(order: &Order, expiry_warning_at: Option<Timestamp>) -> Vec<OutboxMail> {
    let now = order.created_at;
    let mut mail: Vec<OutboxMail> = order
        .timeline
        .iter()
        .flat_map(|entry| for_order_entry(order, entry))
        .collect();
    if let Some(at) = expiry_warning_at.filter(|at| *at > now && *at < order.payment_deadline) {
        let about = MailAbout::ExpiryWarning { order_id: order.id };
        mail.push(OutboxMail::new(order.buyer_id, about, now, at));
    }
    mail
}

/// The mail `entry` of `order` sends its buyer, if any.
pub fn for_order_entry(order: &Order, entry: &TimelineEntry) -> Vec<OutboxMail> {
    if template_of(&entry.kind).is_none() {
        return Vec::new();
    }
    let about = MailAbout::Order {
        order_id: order.id,
        seq: entry.seq,
        at: entry.at,
    };
    vec![OutboxMail::new(order.buyer_id, about, entry.at, entry.at)]
}
