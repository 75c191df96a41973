//! The catalog across nodes: every change made on this node (a stock level
//! one of its shards decides, a product a seller lists or changes, a
//! category an admin puts) goes to the other nodes' catalogs over Redis
//! pub/sub, so browsing, search and cart checks on any node show it.
//!
//! Nothing here waits for Redis: stock levels wait per product (the latest
//! wins) and listings in a bounded queue, for a task of their own that sends
//! them. What cannot be sent (Redis away, or a full queue) is counted and
//! lost for the other nodes until that product's next change; a node that
//! starts reads the whole catalog from the store.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use souk_actors::{Catalog, CatalogFeed, ProductEntry};
use souk_cluster::{ClusterError, Redis};
use souk_models::{Category, Product, ProductId, StockLevel};
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;

const CHANNEL: &str = "catalog";
/// Stock levels in one message at most.
const BATCH: usize = 256;
/// Listings waiting to be sent at most.
const QUEUE: usize = 10_000;

#[derive(Serialize, Deserialize)]
struct Message {
    /// The sending node's holder name (it skips its own messages).
    from: String,
    #[serde(flatten)]
    change: Change,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
enum Change {
    Stock {
        levels: Vec<(ProductId, StockLevel)>,
    },
    Product {
        product: Box<Product>,
        stock: StockLevel,
    },
    Category {
        category: Category,
    },
}

/// Collects this node's changes for the sending task.
struct Outbox {
    levels: Mutex<HashMap<ProductId, StockLevel>>,
    listings: mpsc::Sender<Change>,
    wake: Notify,
}

impl CatalogFeed for Outbox {
    fn stock(&self, product: ProductId, level: StockLevel) {
        self.levels
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(product, level);
        self.wake.notify_one();
    }

    fn product(&self, entry: &ProductEntry) {
        self.queue(Change::Product {
            product: Box::new(entry.product.clone()),
            stock: entry.stock,
        });
    }

    fn category(&self, category: &Category) {
        self.queue(Change::Category {
            category: category.clone(),
        });
    }
}

impl Outbox {
    fn queue(&self, change: Change) {
        if self.listings.try_send(change).is_err() {
            failed();
            tracing::warn!("catalog change not queued for the other nodes: the queue is full");
        }
    }

    fn take_levels(&self) -> Vec<(ProductId, StockLevel)> {
        self.levels
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain()
            .collect()
    }
}

/// The tasks that send and receive catalog changes.
pub struct CatalogSync {
    tasks: [JoinHandle<()>; 2],
}

impl CatalogSync {
    pub async fn start(
        redis: &Redis,
        catalog: Arc<Catalog>,
        me: String,
    ) -> Result<Self, ClusterError> {
        let mut subscription = redis.subscribe(CHANNEL).await?;
        let (listings, mut queued) = mpsc::channel(QUEUE);
        let outbox = Arc::new(Outbox {
            levels: Mutex::default(),
            listings,
            wake: Notify::new(),
        });
        catalog.feed_to(outbox.clone());
        let sender = {
            let (redis, me) = (redis.clone(), me.clone());
            tokio::spawn(async move {
                loop {
                    tokio::select! {
                        () = outbox.wake.notified() => {
                            for levels in outbox.take_levels().chunks(BATCH) {
                                let levels = levels.to_vec();
                                send(&redis, &me, Change::Stock { levels }).await;
                            }
                        }
                        Some(change) = queued.recv() => send(&redis, &me, change).await,
                    }
                }
            })
        };
        let receiver = tokio::spawn(async move {
            while let Some(text) = subscription.next().await {
                match serde_json::from_str::<Message>(&text) {
                    Ok(message) if message.from == me => {}
                    Ok(message) => apply(&catalog, message.change),
                    Err(e) => tracing::warn!(error = %e, "skipping an unreadable catalog message"),
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

fn apply(catalog: &Catalog, change: Change) {
    match change {
        Change::Stock { levels } => {
            for (product, level) in levels {
                catalog.mirror_stock(product, level);
            }
        }
        Change::Product { product, stock } => catalog.mirror_product(*product, stock),
        Change::Category { category } => catalog.mirror_category(category),
    }
}

async fn send(redis: &Redis, me: &str, change: Change) {
    let message = Message {
        from: me.to_owned(),
        change,
    };
    let sent = match serde_json::to_string(&message) {
        Ok(text) => redis.publish(CHANNEL, text).await,
        Err(e) => Err(ClusterError::Redis(e.to_string())),
    };
    if let Err(e) = sent {
        failed();
        tracing::warn!(error = %e, "catalog change not sent to the other nodes");
    }
}

fn failed() {
    metrics::counter!("souk_cluster_broadcast_failures_total").increment(1);
}
