//! Live events: the actors publish what happens (order transitions, queue
//! positions, stock changes…) on topics; the gateway's WebSocket connections
//! subscribe to the topics their user may follow.
//!
//! Every topic numbers its events with a monotonic `seq`. Order topics use the
//! order timeline's sequence, so a client can catch up from the durable
//! timeline; other topics keep a bounded window of recent events for replay,
//! and a subscriber asking for more than the window holds is told so (`gap`).
//! Delivery never waits: each subscriber has a bounded buffer, and one that is
//! full is marked slow, for its connection to close.

mod bus;
pub mod payloads;
mod relay;
mod stats;
#[cfg(test)]
mod tests;
mod topic;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use serde::Serialize;
use serde_json::value::RawValue;
use souk_models::Timestamp;
use tokio::sync::{Notify, mpsc};

pub use bus::{EventBus, Keeper, Received, Replay, RetentionConfig, Subscription};
pub use relay::{Incoming, Outgoing, Relay};
pub use stats::{Stats, Totals};
pub use topic::{Topic, TopicError};

/// One published event.
#[derive(Debug)]
pub struct Event {
    pub topic: Topic,
    pub seq: u64,
    /// What happened, e.g. `shipped` or `position`.
    pub kind: &'static str,
    /// The payload as JSON text: written once, sent as is to every subscriber.
    pub data: Box<RawValue>,
    pub at: Timestamp,
    /// When it was published, for the fan-out latency metric.
    pub published: Instant,
}

/// `data` as JSON text. Serializing the payload types cannot fail; if one
/// ever did, subscribers would get `null` rather than nothing.
pub fn json_text(data: &impl Serialize) -> Box<RawValue> {
    serde_json::value::to_raw_value(data).unwrap_or_else(|e| {
        tracing::error!(error = %e, "an event payload did not serialize");
        RawValue::NULL.to_owned()
    })
}

/// Where a subscriber receives its events: a bounded buffer, and a signal
/// raised when the buffer overflowed (the subscriber cannot keep up).
#[derive(Clone)]
pub struct Sink {
    tx: mpsc::Sender<Arc<Event>>,
    slow: Arc<SlowSignal>,
}

/// Raised once when a sink's buffer overflows.
#[derive(Default)]
pub struct SlowSignal {
    raised: AtomicBool,
    notify: Notify,
}

impl SlowSignal {
    pub fn is_raised(&self) -> bool {
        self.raised.load(Ordering::Acquire)
    }

    /// Waits until the signal is raised.
    pub async fn raised(&self) {
        loop {
            let notified = self.notify.notified();
            if self.is_raised() {
                return;
            }
            notified.await;
        }
    }

    fn raise(&self) {
        if !self.raised.swap(true, Ordering::AcqRel) {
            self.notify.notify_waiters();
        }
    }
}

impl Sink {
    /// A sink holding up to `capacity` undelivered events, with its receiver
    /// and slow signal.
    pub fn new(capacity: usize) -> (Sink, mpsc::Receiver<Arc<Event>>, Arc<SlowSignal>) {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        let slow = Arc::new(SlowSignal::default());
        (
            Sink {
                tx,
                slow: slow.clone(),
            },
            rx,
            slow,
        )
    }

    /// Hands `event` over without waiting; false once the receiver is gone.
    fn deliver(&self, event: &Arc<Event>) -> bool {
        match self.tx.try_send(event.clone()) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.slow.raise();
                true
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }

    fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }
}
