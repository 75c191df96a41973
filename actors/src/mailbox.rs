//! Mailbox depth: calls queued at, or being handled by, actors of one kind (or
//! one inventory shard). ractor does not expose its queue lengths, so handles
//! count their own calls: a guard raises the gauge and lowers it on drop.

/// Counts itself in a gauge while alive (a call in a mailbox, a request in
/// flight).
pub struct Pending(metrics::Gauge);

impl Pending {
    pub fn new(gauge: metrics::Gauge) -> Self {
        gauge.increment(1.0);
        Self(gauge)
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        self.0.decrement(1.0);
    }
}

/// The depth gauge of an actor kind.
pub(crate) fn depth(kind: &'static str) -> metrics::Gauge {
    metrics::gauge!("souk_actor_mailbox_depth", "kind" => kind)
}
