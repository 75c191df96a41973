//! Stock levels, holds and sales in the PostgreSQL store. An inventory
//! change (a shard folds many reservations and settlements into one) is one
//! statement: each kind of row is written with one array-valued part, so a
//! change of a hundred holds costs one round trip, and lands whole or not
//! at all.

use std::collections::{BTreeMap, BTreeSet};

use souk_actors::store::{Hold, InventoryChange, InventoryStore, Sale, StoreError};
use souk_models::{OrderId, ProductId, StockLevel};
use tokio_postgres::types::Json;
use uuid::Uuid;

use super::PostgresStore;
use super::db::{column, docs, rows, to_bigint};

/// Levels, then hold and sale removals, then additions. Removals select by
/// order id first, so they use the key's index whatever the planner guesses
/// of the arrays' length. A removal of a key
/// that is also added is dropped (the addition replaces the row), so no row
/// is touched twice in the statement, as PostgreSQL requires.
const APPLY: &str = "\
WITH levels AS (
    INSERT INTO stock (product_id, on_hand, reserved, sold)
    SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::bigint[])
    ON CONFLICT (product_id) DO UPDATE SET on_hand = EXCLUDED.on_hand,
        reserved = EXCLUDED.reserved, sold = EXCLUDED.sold
), unheld AS (
    DELETE FROM holds WHERE order_id = ANY($5::uuid[])
    AND (order_id, product_id) IN (SELECT * FROM unnest($5::uuid[], $6::uuid[]))
), held AS (
    INSERT INTO holds (order_id, product_id, doc)
    SELECT * FROM unnest($7::uuid[], $8::uuid[], $9::jsonb[])
    ON CONFLICT (order_id, product_id) DO UPDATE SET doc = EXCLUDED.doc
), unsold AS (
    DELETE FROM sales WHERE order_id = ANY($10::uuid[])
    AND (order_id, product_id) IN (SELECT * FROM unnest($10::uuid[], $11::uuid[]))
)
INSERT INTO sales (order_id, product_id, quantity)
SELECT * FROM unnest($12::uuid[], $13::uuid[], $14::bigint[])
ON CONFLICT (order_id, product_id) DO UPDATE SET quantity = EXCLUDED.quantity";

/// The change's rows as the statement's arrays.
struct Arrays<'a> {
    level_ids: Vec<Uuid>,
    on_hand: Vec<i64>,
    reserved: Vec<i64>,
    sold: Vec<i64>,
    unheld: (Vec<Uuid>, Vec<Uuid>),
    held: (Vec<Uuid>, Vec<Uuid>, Vec<Json<&'a Hold>>),
    unsold: (Vec<Uuid>, Vec<Uuid>),
    sales: (Vec<Uuid>, Vec<Uuid>, Vec<i64>),
}

/// Keys to remove that are not also added.
fn removals<V>(
    removed: &[(OrderId, ProductId)],
    added: &BTreeMap<(OrderId, ProductId), V>,
) -> (Vec<Uuid>, Vec<Uuid>) {
    let unique: BTreeSet<&(OrderId, ProductId)> =
        removed.iter().filter(|k| !added.contains_key(*k)).collect();
    unique.into_iter().map(|(o, p)| (o.0, p.0)).unzip()
}

impl<'a> Arrays<'a> {
    fn of(change: &'a InventoryChange) -> Result<Self, StoreError> {
        // Later entries for one key win, as in a sequence of writes; product
        // order keeps two changes' row locks in one order (no deadlock).
        let levels: BTreeMap<Uuid, &StockLevel> =
            change.levels.iter().map(|(id, l)| (id.0, l)).collect();
        let holds: BTreeMap<(OrderId, ProductId), &Hold> = change
            .add_holds
            .iter()
            .map(|h| ((h.order, h.product), h))
            .collect();
        let sales: BTreeMap<(OrderId, ProductId), &Sale> = change
            .add_sales
            .iter()
            .map(|s| ((s.order, s.product), s))
            .collect();
        let mut arrays = Self {
            level_ids: Vec::with_capacity(levels.len()),
            on_hand: Vec::with_capacity(levels.len()),
            reserved: Vec::with_capacity(levels.len()),
            sold: Vec::with_capacity(levels.len()),
            unheld: removals(&change.remove_holds, &holds),
            held: (Vec::new(), Vec::new(), Vec::new()),
            unsold: removals(&change.remove_sales, &sales),
            sales: (Vec::new(), Vec::new(), Vec::new()),
        };
        for (id, level) in levels {
            arrays.level_ids.push(id);
            arrays.on_hand.push(to_bigint(level.on_hand, "unit count")?);
            arrays
                .reserved
                .push(to_bigint(level.reserved, "unit count")?);
            arrays.sold.push(to_bigint(level.sold, "unit count")?);
        }
        for ((order, product), hold) in holds {
            arrays.held.0.push(order.0);
            arrays.held.1.push(product.0);
            arrays.held.2.push(Json(hold));
        }
        for ((order, product), sale) in sales {
            arrays.sales.0.push(order.0);
            arrays.sales.1.push(product.0);
            arrays.sales.2.push(i64::from(sale.quantity));
        }
        Ok(arrays)
    }
}

#[async_trait::async_trait]
impl InventoryStore for PostgresStore {
    async fn apply_inventory(&self, change: &InventoryChange) -> Result<(), StoreError> {
        let a = Arrays::of(change)?;
        self.write_one(
            APPLY,
            &[
                &a.level_ids,
                &a.on_hand,
                &a.reserved,
                &a.sold,
                &a.unheld.0,
                &a.unheld.1,
                &a.held.0,
                &a.held.1,
                &a.held.2,
                &a.unsold.0,
                &a.unsold.1,
                &a.sales.0,
                &a.sales.1,
                &a.sales.2,
            ],
        )
        .await?;
        Ok(())
    }

    async fn list_holds(&self) -> Result<Vec<Hold>, StoreError> {
        let client = self.client().await?;
        let found = rows(
            &client,
            "SELECT doc FROM holds ORDER BY order_id, product_id",
            &[],
        )
        .await?;
        docs(&found, 0)
    }

    async fn order_sales(&self, order: OrderId) -> Result<Vec<Sale>, StoreError> {
        let client = self.client().await?;
        let found = rows(
            &client,
            "SELECT product_id, quantity FROM sales WHERE order_id = $1 ORDER BY product_id",
            &[&order.0],
        )
        .await?;
        found
            .iter()
            .map(|row| {
                let quantity: i64 = column(row, 1)?;
                Ok(Sale {
                    order,
                    product: ProductId(column(row, 0)?),
                    quantity: u32::try_from(quantity)
                        .map_err(|_| StoreError::Corrupt(format!("a sale of {quantity} units")))?,
                })
            })
            .collect()
    }
}
