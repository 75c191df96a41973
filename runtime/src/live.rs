//! The node's live event bus, and the tasks that keep it: the sweeper that
//! forgets unfollowed topics.

use std::time::Duration;

use souk_actors::EventBus;
use souk_actors::events::RetentionConfig;
use souk_gateway::config::WebSocketConfig;

/// How often unfollowed topics are looked for.
const SWEEP_EVERY: Duration = Duration::from_secs(10);

/// Creates the bus and starts its sweeper (which ends with the runtime).
pub fn event_bus(config: &WebSocketConfig) -> EventBus {
    let events = EventBus::new(RetentionConfig {
        events: config.retention_events,
        idle: Duration::from_secs(config.retention_secs),
    });
    let bus = events.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(SWEEP_EVERY);
        loop {
            every.tick().await;
            bus.sweep();
            metrics::gauge!("souk_ws_topics").set(bus.topics() as f64);
        }
    });
    events
}
