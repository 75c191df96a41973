//! The simulated node: runs every task's plan against a real
//! [`EmbeddedStore`], concurrently, noting intent and acknowledgement of each
//! call in the mark file. It runs in a child process under the recording shim.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use souk_actors::store::{
    CatalogStore, Hold, InventoryChange, InventoryStore, OrderStore, Sale, StoreError, conformance,
};
use souk_models::{
    Description, Money, Order, OrderId, OrderStatus, Product, ProductId, Quantity, TimelineEntry,
    TimelineKind, UserId,
};
use souk_store_embedded::{EmbeddedStore, Options};
use time::{Duration, OffsetDateTime};

use super::workload::{Footprint, Mark, Outcome, Step, initial, plan};

/// Memtables this small are written out every few dozen checkouts, so the
/// crash strikes table writes and journal rotations, not only appends.
const MEMTABLE_BYTES: u64 = 96 << 10;

pub struct Config<'a> {
    pub store: &'a Path,
    pub marks: &'a Path,
    pub tasks: usize,
    pub orders: usize,
    /// Scales the catalog batches.
    pub fill: usize,
    pub seed: u64,
}

pub fn run(config: &Config<'_>) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a runtime: {e}"))?;
    runtime.block_on(drive(config))
}

async fn drive(config: &Config<'_>) -> Result<(), String> {
    let options = Options {
        memtable_bytes: MEMTABLE_BYTES,
        ..Options::default()
    };
    let store = EmbeddedStore::open_with(config.store, options).map_err(|e| e.to_string())?;
    let store = Arc::new(store);
    let marks = std::fs::File::create(config.marks).map_err(|e| e.to_string())?;
    let marks = Arc::new(Mutex::new(marks));
    let seller = UserId::new();
    let mut tasks = Vec::new();
    for task in 0..config.tasks {
        let steps = plan(task, config.orders, config.fill, config.seed);
        let own = Footprint::of(&steps)
            .product
            .ok_or("a plan without its product")?;
        let store = store.clone();
        let marks = marks.clone();
        tasks.push(tokio::spawn(async move {
            let writer = Writer {
                store: &store,
                seller,
                own,
            };
            for step in steps {
                note(
                    &marks,
                    &Mark::Intent {
                        task,
                        step: step.clone(),
                    },
                )?;
                writer.apply(&step).await?;
                note(&marks, &Mark::Acked { task })?;
            }
            Ok::<(), String>(())
        }));
    }
    for task in tasks {
        task.await.map_err(|e| e.to_string())??;
    }
    store.close().await;
    Ok(())
}

fn note(marks: &Mutex<std::fs::File>, mark: &Mark) -> Result<(), String> {
    let mut line = serde_json::to_vec(mark).map_err(|e| e.to_string())?;
    line.push(b'\n');
    let mut file = marks
        .lock()
        .map_err(|_| "the mark file's lock is poisoned")?;
    file.write_all(&line).map_err(|e| e.to_string())
}

/// Turns steps into store calls for one task.
struct Writer<'a> {
    store: &'a EmbeddedStore,
    seller: UserId,
    /// The task's own product, the one its orders buy.
    own: ProductId,
}

impl Writer<'_> {
    async fn apply(&self, step: &Step) -> Result<(), String> {
        let failed = |e: StoreError| format!("{step:?} failed: {e}");
        let own = self.own;
        let inventory = |order: OrderId, level| InventoryChange {
            levels: vec![(own, level)],
            remove_holds: vec![(order, own)],
            ..InventoryChange::default()
        };
        let result = match step {
            Step::Catalog {
                products,
                description_len,
            } => {
                let products: Vec<_> = products
                    .iter()
                    .map(|id| (product(*id, self.seller, *description_len), initial()))
                    .collect();
                self.store.put_catalog_batch(&[], &products).await
            }
            Step::Reserve {
                order,
                quantity,
                level,
            } => {
                let hold = Hold {
                    order: *order,
                    product: own,
                    quantity: *quantity,
                    expires_at: OffsetDateTime::now_utc() + Duration::minutes(15),
                };
                let change = InventoryChange {
                    levels: vec![(own, *level)],
                    add_holds: vec![hold],
                    ..InventoryChange::default()
                };
                self.store.apply_inventory(&change).await
            }
            Step::Place { order, quantity } => {
                let order = new_order(*order, own, self.seller, *quantity);
                self.store.create_order(&order, &[]).await
            }
            Step::Note {
                order,
                seq,
                outcome,
            } => {
                let (status, kind) = match outcome {
                    Outcome::Paid => (
                        OrderStatus::Paid,
                        TimelineKind::PaymentSucceeded { event: None },
                    ),
                    Outcome::Expired => (OrderStatus::Expired, TimelineKind::Expired),
                    Outcome::Refunded => (
                        OrderStatus::Refunded,
                        TimelineKind::Refunded { by: self.seller },
                    ),
                };
                let entry = TimelineEntry {
                    seq: *seq,
                    status,
                    kind,
                    at: OffsetDateTime::now_utc(),
                };
                self.store.append_order_entry(*order, &entry, &[]).await
            }
            Step::Sell {
                order,
                quantity,
                level,
            } => {
                let sale = Sale {
                    order: *order,
                    product: own,
                    quantity: *quantity,
                };
                let change = InventoryChange {
                    add_sales: vec![sale],
                    ..inventory(*order, *level)
                };
                self.store.apply_inventory(&change).await
            }
            Step::Release { order, level, .. } => {
                self.store.apply_inventory(&inventory(*order, *level)).await
            }
            Step::Refund { order, level, .. } => {
                let change = InventoryChange {
                    levels: vec![(own, *level)],
                    remove_sales: vec![(*order, own)],
                    ..InventoryChange::default()
                };
                self.store.apply_inventory(&change).await
            }
        };
        result.map_err(failed)
    }
}

fn product(id: ProductId, seller: UserId, description_len: usize) -> Product {
    let words = "durable goods survive every crash ".repeat(description_len / 34 + 1);
    Product {
        id,
        description: parsed(Description::parse(&words[..description_len])),
        ..conformance::product(seller, "Crash-tested kettle")
    }
}

fn new_order(id: OrderId, product: ProductId, seller: UserId, quantity: u32) -> Order {
    let mut order = conformance::order(UserId::new(), &[seller]);
    order.id = id;
    let line = &mut order.lines[0];
    line.product_id = product;
    line.quantity = parsed(Quantity::new(i64::from(quantity)));
    order.total = parsed(Money::new(
        line.unit_price.amount() * i64::from(quantity),
        line.unit_price.currency(),
    ));
    order
}

/// The fixed values above are valid; a parse error is a bug in this file.
fn parsed<T, E: std::fmt::Debug>(value: Result<T, E>) -> T {
    value.expect("a fixed test value parses")
}
