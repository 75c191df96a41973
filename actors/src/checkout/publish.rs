//! What the checkout queue tells the live topics: each ticket's outcome, and
//! the admin feed's checkout outcomes. (Lanes publish places in line.)

use crate::events::{EventBus, Topic};
use serde_json::json;
use souk_models::{Ticket, TicketStatus};

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
