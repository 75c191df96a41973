//! `InventoryShard`: owns the stock levels and holds of one shard of products.

use std::collections::HashSet;
use std::sync::Arc;

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use souk_models::{OrderId, ProductId, StockCount, StockLevel, Timestamp};
use time::OffsetDateTime;

use super::ledger::Ledger;
use super::{InventoryError, Settlement, shard_of};
use crate::catalog::Catalog;
use crate::events::EventBus;
use crate::store::{InventoryChange, Store};

pub(crate) type Reply<T> = RpcReplyPort<Result<T, InventoryError>>;

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
    SetAvailable {
        product: ProductId,
        available: StockCount,
        reply: Reply<StockLevel>,
    },
    Level {
        product: ProductId,
        reply: Reply<StockLevel>,
    },
    /// A hold's expiry timer fired.
    Expire {
        order: OrderId,
        expires_at: Timestamp,
    },
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
}

pub(crate) struct InventoryState {
    args: InventoryArgs,
    ledger: Ledger,
    /// Products whose level has been read from the store.
    loaded: HashSet<ProductId>,
}

pub(crate) struct InventoryShard;

impl Actor for InventoryShard {
    type Msg = InventoryMsg;
    type State = InventoryState;
    type Arguments = InventoryArgs;

    /// Loads the shard's levels and holds, and re-arms every hold's expiry, so
    /// nothing is held forever across restarts.
    async fn pre_start(
        &self,
        myself: ActorRef<InventoryMsg>,
        args: InventoryArgs,
    ) -> Result<InventoryState, ActorProcessingErr> {
        let mine = |p: ProductId| shard_of(p, args.shards) == args.shard;
        let mut ledger = Ledger::default();
        let mut loaded = HashSet::new();
        for (product, level) in args.store.list_stock().await? {
            if mine(product) {
                ledger.levels.insert(product, level);
                loaded.insert(product);
            }
        }
        let holds: Vec<_> = args
            .store
            .list_holds()
            .await?
            .into_iter()
            .filter(|h| mine(h.product))
            .collect();
        let change = InventoryChange {
            add_holds: holds,
            ..Default::default()
        };
        ledger.apply(&change);
        for hold in change.add_holds.iter().filter(|h| !h.sold) {
            arm_expiry(&myself, hold.order, hold.expires_at);
        }
        metrics::gauge!("souk_inventory_holds", "shard" => args.shard.to_string())
            .set(ledger.holds_count() as f64);
        Ok(InventoryState {
            args,
            ledger,
            loaded,
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
            } => {
                let result = reserve(state, order, &lines, expires_at).await;
                if matches!(result, Ok(true)) {
                    arm_expiry(&myself, order, expires_at);
                }
                let outcome = match &result {
                    Ok(_) => "reserved",
                    Err(InventoryError::OutOfStock { .. }) => "out_of_stock",
                    Err(_) => "error",
                };
                metrics::counter!("souk_inventory_reservations_total", "outcome" => outcome)
                    .increment(1);
                let _ = reply.send(result.map(|_| ()));
            }
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
                let change = state.ledger.plan_settle(order, action);
                let released = change.is_some();
                let result = persist(state, change).await;
                if expired && released && result.is_ok() {
                    metrics::counter!("souk_inventory_expired_total").increment(1);
                }
                let _ = reply.send(result);
            }
            InventoryMsg::Sold { order, reply } => {
                let _ = reply.send(Ok(state.ledger.has_sold(order)));
            }
            InventoryMsg::SetAvailable {
                product,
                available,
                reply,
            } => {
                let result = async {
                    load(state, &[product]).await?;
                    let change = state.ledger.plan_set_available(product, available);
                    persist(state, Some(change)).await?;
                    Ok(state.ledger.level(product))
                }
                .await;
                let _ = reply.send(result);
            }
            InventoryMsg::Level { product, reply } => {
                let result = load(state, &[product])
                    .await
                    .map(|()| state.ledger.level(product));
                let _ = reply.send(result);
            }
            InventoryMsg::Expire { order, expires_at } => {
                let change = state
                    .ledger
                    .plan_settle_matching(order, Settlement::Release, |h| {
                        h.expires_at == expires_at
                    });
                if change.is_some() {
                    tracing::info!(%order, "reservation expired; stock released");
                    metrics::counter!("souk_inventory_expired_total").increment(1);
                }
                // A failed write leaves the hold in place; the timer is re-armed
                // at the next start, so the units are not lost.
                if let Err(e) = persist(state, change).await {
                    tracing::warn!(%order, error = %e, "could not release an expired hold");
                }
            }
            #[cfg(test)]
            InventoryMsg::Crash => panic!("injected crash"),
        }
        Ok(())
    }
}

/// `Ok(true)` when new holds were placed, `Ok(false)` for a repeated reservation.
async fn reserve(
    state: &mut InventoryState,
    order: OrderId,
    lines: &[(ProductId, u32)],
    expires_at: Timestamp,
) -> Result<bool, InventoryError> {
    let products: Vec<ProductId> = lines.iter().map(|(p, _)| *p).collect();
    load(state, &products).await?;
    match state.ledger.plan_reserve(order, lines, expires_at)? {
        Some(change) => persist(state, Some(change)).await.map(|()| true),
        None => Ok(false),
    }
}

/// Reads the levels of products this shard has not seen yet (created since it
/// started).
async fn load(state: &mut InventoryState, products: &[ProductId]) -> Result<(), InventoryError> {
    for product in products {
        if state.loaded.insert(*product) {
            match state.args.store.get_stock(*product).await {
                Ok(level) => {
                    state
                        .ledger
                        .levels
                        .insert(*product, level.unwrap_or_default());
                }
                Err(e) => {
                    state.loaded.remove(product);
                    return Err(e.into());
                }
            }
        }
    }
    Ok(())
}

/// Makes `change` durable, then applies it; on a store error nothing changes.
async fn persist(
    state: &mut InventoryState,
    change: Option<InventoryChange>,
) -> Result<(), InventoryError> {
    let Some(change) = change else { return Ok(()) };
    state.args.store.apply_inventory(&change).await?;
    let before: Vec<(ProductId, StockLevel)> = change
        .levels
        .iter()
        .map(|(p, _)| (*p, state.ledger.levels.get(p).copied().unwrap_or_default()))
        .collect();
    state.ledger.apply(&change);
    if let Some(catalog) = &state.args.catalog {
        for (product, level) in &change.levels {
            catalog.mirror_stock(*product, *level);
        }
        let (events, threshold) = (&state.args.events, state.args.low_stock);
        super::publish::levels(events, catalog, threshold, &before, &change.levels);
    }
    metrics::gauge!("souk_inventory_holds", "shard" => state.args.shard.to_string())
        .set(state.ledger.holds_count() as f64);
    Ok(())
}

fn arm_expiry(myself: &ActorRef<InventoryMsg>, order: OrderId, expires_at: Timestamp) {
    let left = expires_at - OffsetDateTime::now_utc();
    let after = std::time::Duration::try_from(left).unwrap_or_default();
    myself.send_after(after, move || InventoryMsg::Expire { order, expires_at });
}
