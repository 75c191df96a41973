//! Stock levels across nodes: every level an inventory shard on this node
//! decides goes to the other nodes' catalogs over Redis pub/sub, so browsing
//! and cart checks on any node show it. The shard never waits for Redis:
//! levels are kept per product (the latest wins) and sent by a task of their
//! own; a level that cannot be sent is overtaken by the product's next one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use souk_actors::Catalog;
use souk_cluster::{ClusterError, Redis};
use souk_models::{ProductId, StockLevel};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

const CHANNEL: &str = "stock";
/// Levels in one message at most.
const BATCH: usize = 256;

#[derive(Serialize, Deserialize)]
struct Levels {
    /// The sending node's holder name (it skips its own messages).
    from: String,
    levels: Vec<(ProductId, StockLevel)>,
}

/// The tasks that send and receive levels.
pub struct StockSync {
    tasks: [JoinHandle<()>; 2],
}

impl StockSync {
    pub async fn start(
        redis: &Redis,
        catalog: Arc<Catalog>,
        me: String,
    ) -> Result<Self, ClusterError> {
        let mut subscription = redis.subscribe(CHANNEL).await?;
        let pending: Arc<Mutex<HashMap<ProductId, StockLevel>>> = Arc::default();
        let wake = Arc::new(Notify::new());
        catalog.listen_to_stock({
            let (pending, wake) = (pending.clone(), wake.clone());
            Arc::new(move |product, level| {
                lock(&pending).insert(product, level);
                wake.notify_one();
            })
        });
        let sender = {
            let (redis, me) = (redis.clone(), me.clone());
            tokio::spawn(async move {
                loop {
                    wake.notified().await;
                    let levels: Vec<_> = lock(&pending).drain().collect();
                    for chunk in levels.chunks(BATCH) {
                        send(&redis, &me, chunk).await;
                    }
                }
            })
        };
        let receiver = tokio::spawn(async move {
            while let Some(text) = subscription.next().await {
                match serde_json::from_str::<Levels>(&text) {
                    Ok(message) if message.from == me => {}
                    Ok(message) => {
                        for (product, level) in message.levels {
                            catalog.mirror_stock(product, level);
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "skipping an unreadable stock message"),
                }
            }
        });
        Ok(Self {
            tasks: [sender, receiver],
        })
    }

    pub fn stop(&self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

async fn send(redis: &Redis, me: &str, levels: &[(ProductId, StockLevel)]) {
    let message = Levels {
        from: me.to_owned(),
        levels: levels.to_vec(),
    };
    let sent = match serde_json::to_string(&message) {
        Ok(text) => redis.publish(CHANNEL, text).await,
        Err(e) => Err(ClusterError::Redis(e.to_string())),
    };
    if let Err(e) = sent {
        metrics::counter!("souk_cluster_broadcast_failures_total").increment(1);
        tracing::warn!(error = %e, "stock levels not sent to the other nodes");
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}
