//! What the checkout queue tells the live topics: each ticket's start and
//! outcome, and the admin feed's checkout outcomes. (Lanes publish places in
//! line.)

use crate::events::payloads::ticket_outcome;
use crate::events::{EventBus, Topic};
use serde::Serialize;
use souk_models::{Ticket, TicketStatus};
use uuid::Uuid;

/// Tells the ticket's owner, and the admin feed, how a checkout ended.
pub(super) fn outcome(events: &EventBus, ticket: &Ticket, status: &TicketStatus, outcome: &str) {
    let Some(data) = ticket_outcome(ticket.id, status) else {
        return;
    };
    if matches!(status, TicketStatus::Completed { .. }) {
        events.stats().checkout_completed();
    }
    events.publish(Topic::Checkout(ticket.id), "status", data);
    let feed = Feed {
        ticket: ticket.id,
        lane: &ticket.lane,
        outcome,
    };
    events.publish(Topic::AdminLive, "checkout", feed);
}

/// A checkout's outcome on the admin feed.
#[derive(Serialize)]
struct Feed<'a> {
    ticket: Uuid,
    lane: &'a str,
    outcome: &'a str,
}

/// Tells the ticket's owner its checkout has started.
pub(super) fn processing(events: &EventBus, ticket: Uuid) {
    let data = Processing {
        ticket,
        status: "processing",
    };
    events.publish(Topic::Checkout(ticket), "status", data);
}

/// A ticket's `status` event once its checkout starts.
#[derive(Serialize)]
struct Processing {
    ticket: Uuid,
    status: &'static str,
}
