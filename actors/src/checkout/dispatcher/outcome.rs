//! How tickets end: each outcome counted, published and sent to whoever
//! waits on it; and waiting tickets whose products sold out rejected early.

use souk_models::TicketStatus;
use uuid::Uuid;

use super::{DispatcherState, call_lane};
use crate::checkout::lane::{LaneConfig, LaneMsg};
use crate::checkout::publish;

/// A lane's metric handles, looked up once rather than per checkout.
pub(super) struct LaneMetrics {
    pub(super) wait: metrics::Histogram,
    completed: metrics::Counter,
}

impl LaneMetrics {
    pub(super) fn new(lane: &LaneConfig) -> Self {
        Self {
            wait: metrics::histogram!("souk_checkout_wait_seconds", "lane" => lane.name.clone()),
            completed: metrics::counter!("souk_checkouts_total", "outcome" => "completed", "lane" => lane.name.clone()),
        }
    }
}

pub(super) fn finish(state: &mut DispatcherState, ticket: Uuid, status: TicketStatus) {
    let Some(entry) = state.tickets.remove(&ticket) else {
        return;
    };
    let outcome = match &status {
        TicketStatus::Completed { .. } => "completed",
        TicketStatus::Rejected { reason } => reason.as_str(),
        TicketStatus::Queued => "queued",
    };
    match (&status, state.metrics.get(entry.lane)) {
        (TicketStatus::Completed { .. }, Some(metrics)) => metrics.completed.increment(1),
        _ => metrics::counter!("souk_checkouts_total", "outcome" => outcome.to_owned(), "lane" => entry.ticket.lane.clone())
            .increment(1),
    }
    publish::outcome(&state.pipeline.events, &entry.ticket, &status, outcome);
    let _ = entry.outcome.send(status);
}

/// Stock-aware admission: a waiting ticket whose products are all sold out is
/// rejected now rather than after its wait.
pub(super) async fn reject_sold_out(state: &mut DispatcherState) {
    let mut doomed: Vec<Vec<Uuid>> = vec![Vec::new(); state.lanes.len()];
    for (id, entry) in &state.tickets {
        if !entry.running && state.pipeline.all_sold_out(&entry.products) {
            doomed[entry.lane].push(*id);
        }
    }
    for (lane, tickets) in doomed.into_iter().enumerate() {
        if tickets.is_empty() {
            continue;
        }
        let count = tickets.len();
        let removed = call_lane(state, lane, |reply| LaneMsg::Remove {
            tickets: tickets.clone(),
            reply,
        })
        .await;
        // A lane that failed is started again from the dispatcher's tickets:
        // leave them for the next time.
        let Some(head) = removed else {
            continue;
        };
        state.schedule.taken(lane, count, head);
        for id in tickets {
            let status = TicketStatus::Rejected {
                reason: "out_of_stock".into(),
            };
            let (pipeline, stored) = (state.pipeline.clone(), status.clone());
            tokio::spawn(async move { pipeline.record(id, &stored).await });
            finish(state, id, status);
        }
    }
}
