//! What the checkout queue tells the live topics: each ticket's place in line
//! and outcome, and the admin feed's checkout outcomes.

use std::collections::HashMap;

use serde_json::json;
use souk_models::{Ticket, TicketStatus};
use uuid::Uuid;

use super::lanes::Lanes;
use crate::events::{EventBus, Topic};

/// Tells the ticket's owner, and the admin feed, how a checkout ended.
pub(super) fn outcome(events: &EventBus, ticket: &Ticket, status: &TicketStatus, outcome: &str) {
    let data = match status {
        TicketStatus::Completed { order_id } => {
            events.stats().checkout_completed();
            json!({ "ticket": ticket.id, "status": "completed", "order_id": order_id })
        }
        TicketStatus::Rejected { reason } => {
            json!({ "ticket": ticket.id, "status": "rejected", "reason": reason })
        }
        TicketStatus::Queued => return,
    };
    events.publish(Topic::Checkout(ticket.id), "status", data);
    let feed = json!({ "ticket": ticket.id, "lane": ticket.lane, "outcome": outcome });
    events.publish(Topic::AdminLive, "checkout", feed);
}

/// Publishes the positions that moved meaningfully since last announced: by
/// at least a twentieth (and at least one place). Called once a second.
pub(super) fn positions(events: &EventBus, lanes: &Lanes, announced: &mut HashMap<Uuid, usize>) {
    for (ticket, lane, position) in lanes.positions() {
        let last = announced.get(&ticket).copied();
        let moved = last.is_none_or(|last| last.abs_diff(position) >= (last / 20).max(1));
        if moved {
            let data =
                json!({ "ticket": ticket, "status": "queued", "lane": lane, "position": position });
            events.publish(Topic::Checkout(ticket), "position", data);
            announced.insert(ticket, position);
        }
    }
}
