//! The node's live event bus and the tasks that keep it: the sweeper that
//! forgets unfollowed topics, and the admin feed's once-a-second summary.

use std::time::Duration;

use serde_json::{Value, json};
use souk_actors::events::{RetentionConfig, Totals};
use souk_actors::{CheckoutHandle, EventBus, Topic};
use souk_gateway::config::WebSocketConfig;
use souk_gateway::ws::WsRegistry;
use tokio::task::JoinHandle;

/// How often unfollowed topics are looked for.
const SWEEP_EVERY: Duration = Duration::from_secs(10);
const SUMMARY_EVERY: Duration = Duration::from_secs(1);

pub fn event_bus(config: &WebSocketConfig) -> EventBus {
    EventBus::new(retention(config))
}

/// How much of each topic's past is kept, from `websocket.*`.
pub fn retention(config: &WebSocketConfig) -> RetentionConfig {
    RetentionConfig {
        events: config.retention_events,
        idle: Duration::from_secs(config.retention_secs),
        checkout_idle: Duration::from_secs(config.checkout_retention_secs),
    }
}

/// The bus's background tasks; they stop when this is dropped.
pub struct LiveTasks(Vec<JoinHandle<()>>);

impl Drop for LiveTasks {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

pub fn start(events: EventBus, checkout: CheckoutHandle, ws: WsRegistry) -> LiveTasks {
    let bus = events.clone();
    let sweeper = tokio::spawn(async move {
        let mut every = tokio::time::interval(SWEEP_EVERY);
        loop {
            every.tick().await;
            bus.sweep();
            metrics::gauge!("souk_ws_topics").set(bus.topics() as f64);
        }
    });
    let summary = tokio::spawn(async move {
        let mut every = tokio::time::interval(SUMMARY_EVERY);
        let mut last = events.stats().totals();
        loop {
            every.tick().await;
            let now = events.stats().totals();
            let lanes = checkout.lane_depths().await;
            let data = summary(&last, &now, &lanes, ws.connections());
            events.publish(Topic::AdminLive, "summary", data);
            last = now;
        }
    });
    LiveTasks(vec![sweeper, summary])
}

/// The summary of one second: rates from the change in totals.
fn summary(last: &Totals, now: &Totals, lanes: &[(String, usize)], connections: usize) -> Value {
    let revenue: serde_json::Map<String, Value> = now
        .revenue
        .iter()
        .map(|(currency, total)| {
            let before = last.revenue.get(currency).copied().unwrap_or(0);
            (currency.clone(), json!(total - before))
        })
        .collect();
    let lanes: serde_json::Map<String, Value> =
        lanes.iter().map(|(l, d)| (l.clone(), json!(d))).collect();
    json!({
        "checkouts_per_sec": now.checkouts.saturating_sub(last.checkouts),
        "orders_paid_per_sec": now.orders_paid.saturating_sub(last.orders_paid),
        "revenue_per_sec": revenue,
        "revenue_total": now.revenue,
        "lane_depths": lanes,
        "connections": connections,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn the_summary_reports_the_change_in_one_second() {
        let last = Totals {
            checkouts: 10,
            orders_paid: 4,
            revenue: BTreeMap::from([("USD".to_owned(), 1000)]),
        };
        let now = Totals {
            checkouts: 25,
            orders_paid: 9,
            revenue: BTreeMap::from([("USD".to_owned(), 3500)]),
        };
        let lanes = vec![("priority".to_owned(), 2), ("standard".to_owned(), 7)];
        let data = summary(&last, &now, &lanes, 3);
        assert_eq!(data["checkouts_per_sec"], 15);
        assert_eq!(data["orders_paid_per_sec"], 5);
        assert_eq!(data["revenue_per_sec"]["USD"], 2500);
        assert_eq!(data["revenue_total"]["USD"], 3500);
        assert_eq!(data["lane_depths"]["standard"], 7);
        assert_eq!(data["connections"], 3);
    }
}
