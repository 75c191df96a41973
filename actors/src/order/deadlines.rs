//! Payment deadlines of unpaid orders, kept by one task per node. They are
//! loaded from the store at start-up, so a restart re-arms every deadline; an
//! order's actor may be passivated meanwhile, and is activated to expire it.
//! Shortly before a deadline the actor is also asked to warn its buyer. An
//! order paid or cancelled has its deadlines cleared at once, so the task
//! holds only unpaid orders and never wakes a finished one.
//!
//! In a cluster a node keeps the deadlines of the partitions placed on it:
//! they are armed when a partition is placed here, and a deadline of an
//! order whose partition has moved away is dropped when it comes due.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use souk_models::{OrderId, Timestamp};
use time::OffsetDateTime;
use tokio::sync::{Notify, mpsc};
use tokio::time::Instant;

use super::actor::{OrderActor, OrderMsg};
use crate::directory::Directory;

/// How long before its deadline an unpaid order's buyer is warned: this, or a
/// third of the time left when the order is placed, whichever is shorter.
const WARN_BEFORE: time::Duration = time::Duration::minutes(5);

/// What is due for an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Due {
    Warn,
    Expire,
}

/// What the task is told.
enum Op {
    Arm(Timestamp, OrderId, Due),
    /// The order is no longer awaiting payment.
    Clear(OrderId),
}

/// Whether an order's deadlines are kept on this node.
pub(crate) type Ours = Arc<dyn Fn(OrderId) -> bool + Send + Sync>;

#[derive(Clone)]
pub(crate) struct Deadlines {
    tx: mpsc::UnboundedSender<Op>,
    stop: Arc<Notify>,
}

/// What the task of a [`Deadlines`] receives, until it starts.
pub(crate) struct Unstarted(mpsc::UnboundedReceiver<Op>);

impl Deadlines {
    /// Deadlines whose task starts with [`Self::start`] (the order actors
    /// get a handle before their directory, which the task needs, exists);
    /// what is armed meanwhile waits for it.
    pub(crate) fn new() -> (Self, Unstarted) {
        let (tx, rx) = mpsc::unbounded_channel();
        let stop = Arc::new(Notify::new());
        (Self { tx, stop }, Unstarted(rx))
    }

    pub(crate) fn start(
        &self,
        unstarted: Unstarted,
        directory: Arc<Directory<OrderActor>>,
        pending: Vec<(OrderId, Timestamp)>,
        ours: Ours,
    ) {
        tokio::spawn(run(directory, unstarted.0, self.stop.clone(), ours));
        self.rearm(pending);
    }

    /// Asks again, `after` from now, for an order whose expiry failed (its
    /// stock could not be released just then).
    pub(crate) fn retry(&self, order: OrderId, after: std::time::Duration) {
        let at = OffsetDateTime::now_utc() + after;
        let _ = self.tx.send(Op::Arm(at, order, Due::Expire));
    }

    /// Arms the deadlines of unpaid orders read from the store.
    pub(crate) fn rearm(&self, pending: Vec<(OrderId, Timestamp)>) {
        for (order, at) in pending {
            let _ = self.tx.send(Op::Arm(at, order, Due::Expire));
        }
    }

    /// Ends the task (the directory is stopping).
    pub(crate) fn stop(&self) {
        self.stop.notify_one();
    }

    /// Arms the deadline of an order placed just now, and its warning.
    pub(crate) fn register(&self, order: OrderId, at: Timestamp) {
        let left = at - OffsetDateTime::now_utc();
        let warn_at = at - WARN_BEFORE.min(left / 3);
        let _ = self.tx.send(Op::Arm(warn_at, order, Due::Warn));
        let _ = self.tx.send(Op::Arm(at, order, Due::Expire));
    }

    /// Forgets the deadlines of an order that no longer awaits payment.
    pub(crate) fn clear(&self, order: OrderId) {
        let _ = self.tx.send(Op::Clear(order));
    }
}

/// Tokio's clock for a wall-clock instant (tests pause tokio's clock).
fn instant_of(at: Timestamp) -> Instant {
    let left = std::time::Duration::try_from(at - OffsetDateTime::now_utc()).unwrap_or_default();
    Instant::now() + left
}

/// The deadlines due, in time order, and each order's entries in it.
#[derive(Default)]
struct Schedule {
    due: BTreeSet<(Instant, OrderId, Due)>,
    of: HashMap<OrderId, Vec<(Instant, Due)>>,
}

impl Schedule {
    fn arm(&mut self, at: Instant, order: OrderId, what: Due) {
        if self.due.insert((at, order, what)) {
            self.of.entry(order).or_default().push((at, what));
        }
    }

    fn clear(&mut self, order: OrderId) {
        for (at, what) in self.of.remove(&order).unwrap_or_default() {
            self.due.remove(&(at, order, what));
        }
    }

    fn next(&self) -> Option<Instant> {
        self.due.first().map(|(at, _, _)| *at)
    }

    /// The earliest entry if it is due by `now`, taken out.
    fn pop_due(&mut self, now: Instant) -> Option<(OrderId, Due)> {
        let (at, order, what) = *self.due.first().filter(|(at, _, _)| *at <= now)?;
        self.due.remove(&(at, order, what));
        if let Some(entries) = self.of.get_mut(&order) {
            entries.retain(|entry| *entry != (at, what));
            if entries.is_empty() {
                self.of.remove(&order);
            }
        }
        Some((order, what))
    }

    fn len(&self) -> usize {
        self.due.len()
    }
}

async fn run(
    directory: Arc<Directory<OrderActor>>,
    mut rx: mpsc::UnboundedReceiver<Op>,
    stop: Arc<Notify>,
    ours: Ours,
) {
    let mut schedule = Schedule::default();
    let gauge = metrics::gauge!("souk_order_deadlines");
    loop {
        gauge.set(schedule.len() as f64);
        let next = schedule.next();
        tokio::select! {
            () = stop.notified() => return,
            received = rx.recv() => match received {
                Some(Op::Arm(at, order, what)) => schedule.arm(instant_of(at), order, what),
                Some(Op::Clear(order)) => schedule.clear(order),
                None => return,
            },
            () = async {
                match next {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            } => {
                while let Some((order, what)) = schedule.pop_due(Instant::now()) {
                    if !ours(order) {
                        continue; // Its partition moved: its new node keeps it.
                    }
                    let msg = match what {
                        Due::Warn => OrderMsg::WarnExpiry,
                        Due::Expire => OrderMsg::Expire,
                    };
                    let sent = match directory.get(order).await {
                        Ok(actor) => actor.send_message(msg).is_ok(),
                        Err(e) => {
                            tracing::warn!(%order, error = %e, "cannot activate order to expire it");
                            false
                        }
                    };
                    if !sent {
                        // The actor was stopping: try again shortly.
                        let retry = Instant::now() + std::time::Duration::from_millis(100);
                        schedule.arm(retry, order, what);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cleared_order_leaves_nothing_behind() {
        let now = Instant::now();
        let later = |s| now + std::time::Duration::from_secs(s);
        let (paid, unpaid) = (OrderId::new(), OrderId::new());
        let mut schedule = Schedule::default();
        schedule.arm(later(10), paid, Due::Warn);
        schedule.arm(later(15), paid, Due::Expire);
        schedule.arm(later(12), unpaid, Due::Expire);
        schedule.clear(paid);
        assert_eq!(schedule.len(), 1);
        assert!(!schedule.of.contains_key(&paid));
        assert_eq!(schedule.next(), Some(later(12)));
        assert_eq!(schedule.pop_due(later(11)), None, "not due yet");
        assert_eq!(schedule.pop_due(later(12)), Some((unpaid, Due::Expire)));
        assert_eq!(schedule.len(), 0);
        assert!(schedule.of.is_empty());
    }
}
