//! What a shard reads before it plans: levels of products new here, and
//! the sales recorded under an order (or a return).

use souk_models::{OrderId, ProductId, Timestamp};

use super::{InventoryState, queue};
use crate::inventory::ledger::Ledger;
use crate::inventory::writes::Waiter;
use crate::inventory::{InventoryError, Reply, shard_of};
use crate::store::{InventoryChange, Sale};

/// The change placing the order's holds, or `None` for a repeated reservation.
pub(super) async fn reserve(
    state: &mut InventoryState,
    order: OrderId,
    lines: &[(ProductId, u32)],
    expires_at: Timestamp,
) -> Result<Option<InventoryChange>, InventoryError> {
    let products: Vec<ProductId> = lines.iter().map(|(p, _)| *p).collect();
    load(state, &products).await?;
    state.ledger.plan_reserve(order, lines, expires_at)
}

/// The sales recorded for `order` on this shard's products, counting the
/// changes not yet durable.
pub(super) async fn sales(
    state: &InventoryState,
    order: OrderId,
) -> Result<Vec<Sale>, InventoryError> {
    let args = &state.args;
    let stored = args.store.order_sales(order).await?;
    let mine = stored
        .into_iter()
        .filter(|s| shard_of(s.product, args.shards) == args.shard)
        .collect();
    Ok(state.writes.sales_of(order, mine))
}

/// Plans a change to `lines`' products from the sales recorded under `key`
/// (their levels read first if new here) and queues it for `reply`.
pub(super) async fn with_sales(
    state: &mut InventoryState,
    key: OrderId,
    lines: &[(ProductId, u32)],
    reply: Reply<()>,
    plan: impl FnOnce(&Ledger, &[Sale]) -> Result<Option<InventoryChange>, InventoryError>,
) {
    let products: Vec<ProductId> = lines.iter().map(|(p, _)| *p).collect();
    let sold = match load(state, &products).await {
        Ok(()) => sales(state, key).await,
        Err(e) => Err(e),
    };
    match sold.and_then(|sold| plan(&state.ledger, &sold)) {
        Ok(change) => {
            let waiter = Waiter::Settled {
                expired: false,
                reply,
            };
            queue(state, change, waiter);
        }
        Err(e) => {
            let _ = reply.send(Err(e));
        }
    }
}

/// Reads the levels of products this shard has not seen yet (created since it
/// started).
pub(super) async fn load(
    state: &mut InventoryState,
    products: &[ProductId],
) -> Result<(), InventoryError> {
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
