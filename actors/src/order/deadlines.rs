//! Payment deadlines of unpaid orders, kept by one task per node. They are
//! loaded from the store at start-up, so a restart re-arms every deadline; an
//! order's actor may be passivated meanwhile, and is activated to expire it.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

use souk_models::{OrderId, Timestamp};
use time::OffsetDateTime;
use tokio::sync::{Notify, mpsc};
use tokio::time::Instant;

use super::actor::{OrderActor, OrderMsg};
use crate::directory::Directory;

#[derive(Clone)]
pub(crate) struct Deadlines {
    tx: mpsc::UnboundedSender<(Timestamp, OrderId)>,
    stop: Arc<Notify>,
}

impl Deadlines {
    pub(crate) fn start(
        directory: Arc<Directory<OrderActor>>,
        pending: Vec<(OrderId, Timestamp)>,
    ) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        for (order, at) in pending {
            let _ = tx.send((at, order));
        }
        let stop = Arc::new(Notify::new());
        tokio::spawn(run(directory, rx, stop.clone()));
        Self { tx, stop }
    }

    /// Ends the task (the directory is stopping).
    pub(crate) fn stop(&self) {
        self.stop.notify_one();
    }

    pub(crate) fn register(&self, order: OrderId, at: Timestamp) {
        let _ = self.tx.send((at, order));
    }
}

/// Tokio's clock for a wall-clock instant (tests pause tokio's clock).
fn instant_of(at: Timestamp) -> Instant {
    let left = std::time::Duration::try_from(at - OffsetDateTime::now_utc()).unwrap_or_default();
    Instant::now() + left
}

async fn run(
    directory: Arc<Directory<OrderActor>>,
    mut rx: mpsc::UnboundedReceiver<(Timestamp, OrderId)>,
    stop: Arc<Notify>,
) {
    let mut due: BinaryHeap<Reverse<(Instant, OrderId)>> = BinaryHeap::new();
    loop {
        let next = due.peek().map(|Reverse((at, _))| *at);
        tokio::select! {
            () = stop.notified() => return,
            received = rx.recv() => match received {
                Some((at, order)) => due.push(Reverse((instant_of(at), order))),
                None => return,
            },
            () = async {
                match next {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            } => {
                while let Some(Reverse((at, order))) = due.peek().copied() {
                    if at > Instant::now() {
                        break;
                    }
                    due.pop();
                    let sent = match directory.get(order).await {
                        Ok(actor) => actor.send_message(OrderMsg::Expire).is_ok(),
                        Err(e) => {
                            tracing::warn!(%order, error = %e, "cannot activate order to expire it");
                            false
                        }
                    };
                    if !sent {
                        // The actor was stopping: try again shortly.
                        let retry = Instant::now() + std::time::Duration::from_millis(100);
                        due.push(Reverse((retry, order)));
                    }
                }
            }
        }
    }
}
