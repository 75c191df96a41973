//! Payment deadlines of unpaid orders, kept by one task per node. They are
//! loaded from the store at start-up, so a restart re-arms every deadline; an
//! order's actor may be passivated meanwhile, and is activated to expire it.
//! Shortly before a deadline the actor is also asked to warn its buyer.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
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

#[derive(Clone)]
pub(crate) struct Deadlines {
    tx: mpsc::UnboundedSender<(Timestamp, OrderId, Due)>,
    stop: Arc<Notify>,
}

impl Deadlines {
    pub(crate) fn start(
        directory: Arc<Directory<OrderActor>>,
        pending: Vec<(OrderId, Timestamp)>,
    ) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        for (order, at) in pending {
            let _ = tx.send((at, order, Due::Expire));
        }
        let stop = Arc::new(Notify::new());
        tokio::spawn(run(directory, rx, stop.clone()));
        Self { tx, stop }
    }

    /// Ends the task (the directory is stopping).
    pub(crate) fn stop(&self) {
        self.stop.notify_one();
    }

    /// Arms the deadline of an order placed just now, and its warning.
    pub(crate) fn register(&self, order: OrderId, at: Timestamp) {
        let left = at - OffsetDateTime::now_utc();
        let _ = self
            .tx
            .send((at - WARN_BEFORE.min(left / 3), order, Due::Warn));
        let _ = self.tx.send((at, order, Due::Expire));
    }
}

/// Tokio's clock for a wall-clock instant (tests pause tokio's clock).
fn instant_of(at: Timestamp) -> Instant {
    let left = std::time::Duration::try_from(at - OffsetDateTime::now_utc()).unwrap_or_default();
    Instant::now() + left
}

async fn run(
    directory: Arc<Directory<OrderActor>>,
    mut rx: mpsc::UnboundedReceiver<(Timestamp, OrderId, Due)>,
    stop: Arc<Notify>,
) {
    let mut due: BinaryHeap<Reverse<(Instant, OrderId, Due)>> = BinaryHeap::new();
    loop {
        let next = due.peek().map(|Reverse((at, _, _))| *at);
        tokio::select! {
            () = stop.notified() => return,
            received = rx.recv() => match received {
                Some((at, order, what)) => due.push(Reverse((instant_of(at), order, what))),
                None => return,
            },
            () = async {
                match next {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            } => {
                while let Some(Reverse((at, order, what))) = due.peek().copied() {
                    if at > Instant::now() {
                        break;
                    }
                    due.pop();
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
                        due.push(Reverse((retry, order, what)));
                    }
                }
            }
        }
    }
}
