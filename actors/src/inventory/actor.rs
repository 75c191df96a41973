//! `InventoryShard`: owns the stock levels and holds of one shard of products,
//! and reads its sales from the store when an order needs them.

use std::collections::HashSet;
use std::sync::Arc;

use ractor::{Actor, ActorProcessingErr, ActorRef};
use souk_models::{OrderId, ProductId, StockCount, StockLevel, Timestamp};
use time::OffsetDateTime;

use super::ledger::Ledger;
use super::preload::{Preloaded, ShardData};
use super::writes::{Queued, Waiter, Writes};
use super::{InventoryError, Reply, Settlement};
use crate::catalog::Catalog;
use crate::events::EventBus;
use crate::store::{InventoryChange, Sale, Store};
use reads::{load, reserve, sales, with_sales};

mod reads;

pub(crate) enum InventoryMsg {
    Reserve {
        order: OrderId,
        lines: Vec<(ProductId, u32)>,
        expires_at: Timestamp,
        reply: Reply<()>,
    },
    Settle {
        order: OrderId,
        action: Settlement,
        reply: Reply<()>,
    },
    /// Whether any of the order's units were sold (its payment went through).
    Sold { order: OrderId, reply: Reply<bool> },
    /// A paid order's units sold: its holds, or the units again if they
    /// were released.
    Commit {
        order: OrderId,
        lines: Vec<(ProductId, u32)>,
        reply: Reply<()>,
    },
    /// Returned units back on sale, once per `key`.
    TakeBack {
        key: OrderId,
        lines: Vec<(ProductId, u32)>,
        reply: Reply<()>,
    },
    SetAvailable {
        product: ProductId,
        available: StockCount,
        reply: Reply<StockLevel>,
    },
    Level {
        product: ProductId,
        reply: Reply<StockLevel>,
    },
    /// Time to release the holds that have expired (every [`EXPIRY_TICK`]).
    ExpireDue,
    /// The shard's write in flight finished.
    Written(Result<(), InventoryError>),
    /// Test hook: fail the actor mid-operation.
    #[cfg(test)]
    Crash,
}

#[derive(Clone)]
pub(crate) struct InventoryArgs {
    pub shard: usize,
    pub shards: usize,
    pub store: Arc<dyn Store>,
    /// Told every new level, so browsing shows live stock.
    pub catalog: Option<Arc<Catalog>>,
    /// Where stock changes are published (for products in the catalog).
    pub events: EventBus,
    /// Sellers are alerted when a product's available units drop under this.
    pub low_stock: u64,
    /// Every shard's levels and holds, read once at the first start.
    pub preloaded: Preloaded,
}

pub(crate) struct InventoryState {
    args: InventoryArgs,
    /// `souk_inventory_holds` for this shard.
    holds_gauge: metrics::Gauge,
    ledger: Ledger,
    /// Products whose level has been read from the store.
    loaded: HashSet<ProductId>,
    /// Changes applied to the ledger whose writes are not durable yet.
    writes: Writes,
    /// The wall clock at start by tokio's: expiries are judged on tokio's
    /// steady clock from there (which tests can pause and advance).
    started: (tokio::time::Instant, Timestamp),
}

impl InventoryState {
    /// The wall-clock time now, by tokio's clock.
    fn now(&self) -> Timestamp {
        let (instant, wall) = self.started;
        wall + instant.elapsed()
    }
}

/// How often a shard releases the holds that have expired: an unpaid
/// reservation lasts at most this much past its expiry.
const EXPIRY_TICK: std::time::Duration = std::time::Duration::from_secs(1);

/// How long a hold outlives its order's payment deadline before the shard
/// releases it by itself. The order releases it at the deadline; a payment
/// the provider reports then (or a little later, while the provider was
/// unreachable) still finds its units. Only holds whose order never came to
/// be (a crash mid-checkout) or whose expiry keeps failing wait this long.
const HOLD_GRACE: time::Duration = time::Duration::minutes(10);

pub(crate) struct InventoryShard;

impl Actor for InventoryShard {
    type Msg = InventoryMsg;
    type State = InventoryState;
    type Arguments = InventoryArgs;

    /// Loads the shard's levels and holds and starts the expiry tick, so
    /// nothing is held forever across restarts.
    async fn pre_start(
        &self,
        myself: ActorRef<InventoryMsg>,
        args: InventoryArgs,
    ) -> Result<InventoryState, ActorProcessingErr> {
        let data = match args.preloaded.take(args.shard) {
            Some(data) => data,
            None => ShardData::read(args.store.as_ref(), args.shard, args.shards).await?,
        };
        let mut ledger = Ledger::default();
        let mut loaded = HashSet::new();
        for (product, level) in data.levels {
            ledger.levels.insert(product, level);
            loaded.insert(product);
        }
        let change = InventoryChange {
            add_holds: data.holds,
            ..Default::default()
        };
        ledger.apply(&change);
        myself.send_interval(EXPIRY_TICK, || InventoryMsg::ExpireDue);
        let holds_gauge =
            metrics::gauge!("souk_inventory_holds", "shard" => args.shard.to_string());
        holds_gauge.set(ledger.holds_count() as f64);
        Ok(InventoryState {
            args,
            holds_gauge,
            ledger,
            loaded,
            writes: Writes::default(),
            started: (tokio::time::Instant::now(), OffsetDateTime::now_utc()),
        })
    }

    async fn handle(
        &self,
        myself: ActorRef<InventoryMsg>,
        msg: InventoryMsg,
        state: &mut InventoryState,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            InventoryMsg::Reserve {
                order,
                lines,
                expires_at,
                reply,
            } => match reserve(state, order, &lines, expires_at).await {
                Ok(change) => queue(state, change, Waiter::Reserved(reply)),
                Err(e) => {
                    let outcome = match &e {
                        InventoryError::OutOfStock { .. } => "out_of_stock",
                        _ => "error",
                    };
                    metrics::counter!("souk_inventory_reservations_total", "outcome" => outcome)
                        .increment(1);
                    let _ = reply.send(Err(e));
                }
            },
            InventoryMsg::Settle {
                order,
                action,
                reply,
            } => {
                // Releasing an unpaid order's lapsed reservation (the order
                // expired) counts as an expiry, whoever gets there first.
                let now = OffsetDateTime::now_utc();
                let expired =
                    matches!(action, Settlement::Release) && state.ledger.has_expired(order, now);
                let sales = match action {
                    Settlement::Restock | Settlement::Forget => sales(state, order).await,
                    Settlement::Release | Settlement::Commit => Ok(Vec::new()),
                };
                match sales {
                    Ok(sales) => {
                        let change = state.ledger.plan_settle(order, action, &sales);
                        let expired = expired && change.is_some();
                        queue(state, change, Waiter::Settled { expired, reply });
                    }
                    Err(e) => {
                        let _ = reply.send(Err(e));
                    }
                }
            }
            InventoryMsg::Sold { order, reply } => match sales(state, order).await {
                Ok(sales) => queue(state, None, Waiter::Sold(!sales.is_empty(), reply)),
                Err(e) => {
                    let _ = reply.send(Err(e));
                }
            },
            InventoryMsg::Commit {
                order,
                lines,
                reply,
            } => {
                let plan = |ledger: &Ledger, sold: &[Sale]| ledger.plan_commit(order, &lines, sold);
                with_sales(state, order, &lines, reply, plan).await;
            }
            InventoryMsg::TakeBack { key, lines, reply } => {
                let plan =
                    |ledger: &Ledger, marks: &[Sale]| Ok(ledger.plan_take_back(key, &lines, marks));
                with_sales(state, key, &lines, reply, plan).await;
            }
            InventoryMsg::SetAvailable {
                product,
                available,
                reply,
            } => {
                if let Err(e) = load(state, &[product]).await {
                    let _ = reply.send(Err(e));
                    return Ok(());
                }
                let change = state.ledger.plan_set_available(product, available);
                let level = change
                    .levels
                    .iter()
                    .find(|(p, _)| *p == product)
                    .map_or_else(|| state.ledger.level(product), |(_, l)| *l);
                queue(state, Some(change), Waiter::Level(level, reply));
            }
            InventoryMsg::Level { product, reply } => match load(state, &[product]).await {
                Ok(()) => {
                    let level = state.ledger.level(product);
                    queue(state, None, Waiter::Level(level, reply));
                }
                Err(e) => {
                    let _ = reply.send(Err(e));
                }
            },
            InventoryMsg::ExpireDue => {
                let cutoff = state.now() - HOLD_GRACE;
                for order in state.ledger.expired(cutoff) {
                    let change = state
                        .ledger
                        .plan_settle_holds(order, Settlement::Release, |h| h.expires_at <= cutoff);
                    if change.is_some() {
                        queue(state, change, Waiter::Expired(order));
                    }
                }
            }
            InventoryMsg::Written(result) => {
                let batch = state.writes.finish();
                if let Err(e) = result {
                    // The ledger holds changes the store does not: fail every
                    // caller still waiting and restart to reload the store.
                    for queued in batch.into_iter().chain(state.writes.drain()) {
                        queued.waiter.fail(&e);
                    }
                    return Err(format!("inventory write failed: {e}").into());
                }
                for queued in batch {
                    done(state, queued);
                }
            }
            #[cfg(test)]
            InventoryMsg::Crash => panic!("injected crash"),
        }
        flush(&myself, state);
        Ok(())
    }
}

/// Applies `change` to the ledger at once, so later plans see it, and queues
/// its caller until it is durable. A caller without a change still waits for
/// the changes before it: what it was told rests on them.
fn queue(state: &mut InventoryState, change: Option<InventoryChange>, waiter: Waiter) {
    let change = change.unwrap_or_default();
    let before: Vec<(ProductId, StockLevel)> = change
        .levels
        .iter()
        .map(|(p, _)| (*p, state.ledger.levels.get(p).copied().unwrap_or_default()))
        .collect();
    state.ledger.apply(&change);
    state.writes.push(Queued {
        change,
        before,
        waiter,
    });
}

/// Starts the next write when none is in flight; its result comes back as
/// [`InventoryMsg::Written`].
fn flush(myself: &ActorRef<InventoryMsg>, state: &mut InventoryState) {
    let Some((change, batch)) = state.writes.start() else {
        return;
    };
    if change == InventoryChange::default() {
        for queued in batch {
            done(state, queued);
        }
        return;
    }
    state.writes.hold(batch);
    let (store, shard) = (state.args.store.clone(), myself.clone());
    tokio::spawn(async move {
        let result = store.apply_inventory(&change).await;
        let _ = shard.send_message(InventoryMsg::Written(result.map_err(Into::into)));
    });
}

/// A change is durable: show it and answer its caller.
fn done(state: &InventoryState, queued: Queued) {
    let Queued {
        change,
        before,
        waiter,
    } = queued;
    if let Some(catalog) = &state.args.catalog
        && !change.levels.is_empty()
    {
        for (product, level) in &change.levels {
            catalog.stock_decided(*product, *level);
        }
        let (events, threshold) = (&state.args.events, state.args.low_stock);
        let letters = super::publish::levels(events, catalog, threshold, &before, &change.levels);
        if !letters.is_empty() {
            // Just after the stock write, not in it: a crash between the
            // two loses this alert (the level itself is stored).
            let store = state.args.store.clone();
            tokio::spawn(async move {
                if let Err(e) = store.enqueue_mail(&letters).await {
                    tracing::warn!(error = %e, "storing low-stock letters failed");
                }
            });
        }
    }
    if !change.add_holds.is_empty() || !change.remove_holds.is_empty() {
        state.holds_gauge.set(state.ledger.holds_count() as f64);
    }
    match waiter {
        Waiter::Reserved(reply) => {
            metrics::counter!("souk_inventory_reservations_total", "outcome" => "reserved")
                .increment(1);
            let _ = reply.send(Ok(()));
        }
        Waiter::Settled { expired, reply } => {
            if expired {
                metrics::counter!("souk_inventory_expired_total").increment(1);
            }
            let _ = reply.send(Ok(()));
        }
        Waiter::Level(level, reply) => {
            let _ = reply.send(Ok(level));
        }
        Waiter::Sold(sold, reply) => {
            let _ = reply.send(Ok(sold));
        }
        Waiter::Expired(order) => {
            tracing::info!(%order, "reservation expired; stock released");
            metrics::counter!("souk_inventory_expired_total").increment(1);
        }
    }
}
