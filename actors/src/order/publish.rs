//! What an order's new timeline entries tell the live topics: the order's own
//! topic, its buyer, its sellers (new orders, their lines only) and admins.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;
use souk_models::{
    Money, Order, OrderId, OrderLine, OrderStatus, ReturnLine, TimelineEntry, TimelineKind, UserId,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::events::payloads::{kind_name, order_entry};
use crate::events::{EventBus, Topic, json_text};

/// Publishes `entry`, just appended to `order`.
pub(crate) fn entry(events: &EventBus, order: &Order, entry: &TimelineEntry) {
    events.publish_numbered(Topic::Order(order.id), entry.seq, entry.at, || {
        order_entry(order.id, entry)
    });
    let summary = json_text(&Summary {
        order_id: order.id,
        status: entry.status.as_str(),
        event: kind_name(&entry.kind),
    });
    events.publish(Topic::AdminLive, "order_transition", &*summary);
    let buyer = Topic::User(order.buyer_id);
    match &entry.kind {
        TimelineKind::PaymentCreated { .. } => {}
        TimelineKind::PaymentSucceeded { .. } => {
            events.stats().order_paid(order.total, &order.lines);
            let data = Payment {
                order_id: order.id,
                outcome: "succeeded",
                total: Some(order.total),
                reason: None,
            };
            events.publish(buyer, "payment", data);
        }
        TimelineKind::PaymentDeclined { reason, .. } => {
            let data = Payment {
                order_id: order.id,
                outcome: "declined",
                total: None,
                reason: Some(reason.as_str()),
            };
            events.publish(buyer, "payment", data);
        }
        TimelineKind::Placed => {
            events.publish(buyer, "order_status", &*summary);
            for (seller, lines) in by_seller(&order.lines) {
                let data = NewOrder {
                    order_id: order.id,
                    subtotal: subtotal(&lines),
                    lines,
                };
                events.publish(Topic::Seller(seller), "new_order", data);
            }
        }
        TimelineKind::ReturnRequested {
            return_id,
            lines,
            reason,
            ..
        } => {
            events.publish(buyer, "order_status", &*summary);
            for seller in order.sellers() {
                let theirs: Vec<&ReturnLine> = lines
                    .iter()
                    .filter(|r| {
                        let sold = |l: &&OrderLine| l.product_id == r.product_id;
                        order
                            .lines
                            .iter()
                            .filter(sold)
                            .any(|l| l.seller_id == seller)
                    })
                    .collect();
                if theirs.is_empty() {
                    continue;
                }
                let data = json!({
                    "order_id": order.id,
                    "return_id": return_id,
                    "lines": theirs,
                    "reason": reason,
                });
                events.publish(Topic::Seller(seller), "return_requested", data);
            }
        }
        _ => {
            events.publish(buyer, "order_status", &*summary);
        }
    }
}

/// An order's new state, for the admin feed and its buyer.
#[derive(Serialize)]
struct Summary<'a> {
    order_id: OrderId,
    status: &'a str,
    event: &'a str,
}

/// How paying went, for the buyer: the total when it succeeded, the reason
/// when it was declined.
#[derive(Serialize)]
struct Payment<'a> {
    order_id: OrderId,
    outcome: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    total: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

/// A seller's lines of a new order.
#[derive(Serialize)]
struct NewOrder<'a> {
    order_id: OrderId,
    lines: Vec<&'a OrderLine>,
    subtotal: Option<Money>,
}

/// Warns the buyer of an unpaid order that its payment deadline is near.
pub(crate) fn expiry_warning(events: &EventBus, order: &Order) {
    if order.status() != OrderStatus::PendingPayment {
        return;
    }
    let left = order.payment_deadline - OffsetDateTime::now_utc();
    let data = json!({
        "order_id": order.id,
        "payment_deadline": order.payment_deadline.format(&Rfc3339).ok(),
        "seconds_left": left.whole_seconds().max(0),
    });
    events.publish(Topic::User(order.buyer_id), "expiry_warning", data);
}

fn by_seller(lines: &[OrderLine]) -> BTreeMap<UserId, Vec<&OrderLine>> {
    let mut sellers: BTreeMap<UserId, Vec<&OrderLine>> = BTreeMap::new();
    for line in lines {
        sellers.entry(line.seller_id).or_default().push(line);
    }
    sellers
}

/// The lines' total, if it fits (it always does for a placed order).
fn subtotal(lines: &[&OrderLine]) -> Option<Money> {
    let first = lines.first()?;
    lines
        .iter()
        .try_fold(Money::zero(first.unit_price.currency()), |sum, l| {
            l.unit_price
                .times(l.quantity.get())
                .and_then(|t| sum.plus(t))
        })
}
