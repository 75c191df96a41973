//! Stores what the inbox takes, in batches, and deletes notifications past
//! their retention.

use std::sync::Arc;
use std::time::Duration;

use souk_models::Notification;
use time::OffsetDateTime;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::store::Store;

/// Notifications stored per write, at most.
const BATCH: usize = 256;
/// Tries of one batch before it is dropped (and counted).
const TRIES: u32 = 5;

/// The running writer.
pub struct InboxWriter {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl InboxWriter {
    pub(super) fn start(store: Arc<dyn Store>, mut taken: mpsc::Receiver<Notification>) -> Self {
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            let mut batch = Vec::with_capacity(BATCH);
            loop {
                tokio::select! {
                    n = taken.recv_many(&mut batch, BATCH) => if n == 0 { return },
                    _ = stopped.changed() => {
                        // What was taken before the stop is stored, then no more.
                        while let Ok(note) = taken.try_recv() {
                            batch.push(note);
                        }
                        for chunk in batch.chunks(BATCH) {
                            store_batch(&*store, chunk).await;
                        }
                        return;
                    }
                }
                store_batch(&*store, &batch).await;
                batch.clear();
            }
        });
        Self { stop, task }
    }

    /// Stores what was taken so far (waiting up to `grace`) and stops.
    pub async fn finish(self, grace: Duration) {
        let _ = self.stop.send(true);
        if tokio::time::timeout(grace, self.task).await.is_err() {
            tracing::warn!("notifications were still being stored at shutdown");
        }
    }
}

async fn store_batch(store: &dyn Store, batch: &[Notification]) {
    let mut wait = Duration::from_millis(100);
    for attempt in 1..=TRIES {
        match store.add_notifications(batch).await {
            Ok(()) => {
                metrics::counter!("souk_notifications_kept_total").increment(batch.len() as u64);
                return;
            }
            Err(e) if attempt < TRIES => {
                tracing::warn!(error = %e, attempt, "storing notifications failed; trying again");
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
            Err(e) => tracing::error!(error = %e, "storing notifications failed; dropped"),
        }
    }
    metrics::counter!("souk_notifications_dropped_total").increment(batch.len() as u64);
}

/// Deletes notifications older than `keep`, hourly.
pub fn spawn_purge(store: Arc<dyn Store>, keep: Duration) {
    tokio::spawn(async move {
        let Ok(keep) = time::Duration::try_from(keep) else {
            return;
        };
        let mut every = tokio::time::interval(Duration::from_secs(3600));
        loop {
            every.tick().await;
            let before = OffsetDateTime::now_utc() - keep;
            loop {
                match store.purge_notifications(before, 1000).await {
                    Ok(1000) => continue,
                    Ok(n) if n > 0 => tracing::info!(purged = n, "old notifications deleted"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "purging notifications failed"),
                }
                break;
            }
        }
    });
}
