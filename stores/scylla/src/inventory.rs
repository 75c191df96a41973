//! Stock, holds and sales in the ScyllaDB store. An inventory change is one
//! logged batch: ScyllaDB writes all of it or none of it. The shard that
//! owns the stock is the only writer of its levels (fenced in a cluster),
//! so the batch needs no condition.
//!
//! Holds carry a TTL 30 days past their deadline. Their shard releases
//! them at the deadline (re-armed from `list_holds` at start-up), so the
//! TTL only clears holds no node was left to release.

use souk_actors::store::{Hold, InventoryChange, InventoryStore, Sale, StoreError};
use souk_models::{OrderId, ProductId};
use time::Duration;
use uuid::Uuid;

use super::ScyllaStore;
use super::catalog::stock_write;
use super::db::{Write, id, key, vals};
use super::docs::{from_bigint, from_nanos, nanos, to_bigint, ttl};

/// How long a hold outlives its deadline before ScyllaDB drops it.
const HOLD_GRACE: Duration = Duration::days(30);

pub(crate) fn hold_write(hold: &Hold) -> Result<Write, StoreError> {
    Ok(Write::new(
        "INSERT INTO holds (order_id, product_id, quantity, expires_ns) VALUES (?, ?, ?, ?) \
         USING TTL ?",
        vals![
            hold.order.0,
            key(hold.product.0),
            i64::from(hold.quantity),
            nanos(hold.expires_at)?,
            ttl(hold.expires_at, HOLD_GRACE)
        ],
    ))
}

pub(crate) fn sale_write(sale: &Sale) -> Result<Write, StoreError> {
    Ok(Write::new(
        "INSERT INTO sales (order_id, product_id, quantity) VALUES (?, ?, ?)",
        vals![
            sale.order.0,
            key(sale.product.0),
            to_bigint(sale.quantity, "a sale's quantity")?
        ],
    ))
}

pub(crate) fn hold(
    order: Uuid,
    product: &[u8],
    quantity: i64,
    expires_ns: i64,
) -> Result<Hold, StoreError> {
    Ok(Hold {
        order: OrderId(order),
        product: ProductId(id(product)?),
        quantity: from_bigint(quantity, "held quantity")?,
        expires_at: from_nanos(expires_ns)?,
    })
}

pub(crate) fn sale(order: Uuid, product: &[u8], quantity: i64) -> Result<Sale, StoreError> {
    Ok(Sale {
        order: OrderId(order),
        product: ProductId(id(product)?),
        quantity: from_bigint(quantity, "sold quantity")?,
    })
}

/// The change as batch writes. A key both removed and added keeps only
/// the addition: writes of one batch share a timestamp, and at equal
/// timestamps ScyllaDB lets a deletion win.
pub(crate) fn change_writes(change: &InventoryChange) -> Result<Vec<Write>, StoreError> {
    let mut writes = Vec::new();
    for (product, level) in &change.levels {
        writes.push(stock_write(*product, level)?);
    }
    for (order, product) in &change.remove_holds {
        if !change
            .add_holds
            .iter()
            .any(|h| h.order == *order && h.product == *product)
        {
            writes.push(Write::new(
                "DELETE FROM holds WHERE order_id = ? AND product_id = ?",
                vals![order.0, key(product.0)],
            ));
        }
    }
    for hold in &change.add_holds {
        writes.push(hold_write(hold)?);
    }
    for (order, product) in &change.remove_sales {
        if !change
            .add_sales
            .iter()
            .any(|s| s.order == *order && s.product == *product)
        {
            writes.push(Write::new(
                "DELETE FROM sales WHERE order_id = ? AND product_id = ?",
                vals![order.0, key(product.0)],
            ));
        }
    }
    for sale in &change.add_sales {
        writes.push(sale_write(sale)?);
    }
    Ok(writes)
}

#[async_trait::async_trait]
impl InventoryStore for ScyllaStore {
    async fn apply_inventory(&self, change: &InventoryChange) -> Result<(), StoreError> {
        self.batch(change_writes(change)?).await?;
        Ok(())
    }

    async fn list_holds(&self) -> Result<Vec<Hold>, StoreError> {
        let rows: Vec<(Uuid, Vec<u8>, i64, i64)> = self
            .db
            .scan(
                "SELECT order_id, product_id, quantity, expires_ns FROM holds",
                vec![],
            )
            .await?;
        rows.iter()
            .map(|(order, product, quantity, at)| hold(*order, product, *quantity, *at))
            .collect()
    }

    async fn order_sales(&self, order: OrderId) -> Result<Vec<Sale>, StoreError> {
        let rows: Vec<(Vec<u8>, i64)> = self
            .db
            .rows(
                "SELECT product_id, quantity FROM sales WHERE order_id = ?",
                vals![order.0],
            )
            .await?;
        rows.iter()
            .map(|(product, quantity)| sale(order.0, product, *quantity))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use souk_models::StockLevel;
    use time::OffsetDateTime;

    #[test]
    fn a_key_removed_and_added_in_one_change_is_only_added() {
        let (order, product) = (OrderId::new(), ProductId::new());
        let held = Hold {
            order,
            product,
            quantity: 2,
            expires_at: OffsetDateTime::now_utc() + Duration::minutes(15),
        };
        let change = InventoryChange {
            levels: vec![(
                product,
                StockLevel {
                    on_hand: 5,
                    reserved: 2,
                    sold: 0,
                },
            )],
            remove_holds: vec![(order, product), (OrderId::new(), product)],
            add_holds: vec![held],
            ..InventoryChange::default()
        };
        let writes = change_writes(&change).unwrap_or_default();
        let kinds: Vec<&str> = writes
            .iter()
            .map(|w| w.cql.split_whitespace().take(3).last().unwrap_or_default())
            .collect();
        assert_eq!(kinds, ["stock", "holds", "holds"]);
        assert!(writes[1].cql.starts_with("DELETE"));
        assert!(writes[2].cql.starts_with("INSERT"));
        assert_eq!(writes[2].values.len(), 5, "the hold's TTL is bound");
    }

    #[test]
    fn impossible_levels_are_refused_before_writing() {
        let change = InventoryChange {
            levels: vec![(
                ProductId::new(),
                StockLevel {
                    on_hand: 1,
                    reserved: 1,
                    sold: 1,
                },
            )],
            ..InventoryChange::default()
        };
        assert!(matches!(
            change_writes(&change),
            Err(StoreError::Conflict(_))
        ));
    }

    #[test]
    fn stored_rows_map_back_to_holds_and_sales() {
        let (order, product) = (Uuid::now_v7(), Uuid::now_v7());
        let at = OffsetDateTime::now_utc();
        let back = hold(order, &key(product), 3, nanos(at).unwrap_or_default());
        assert_eq!(
            back.ok().map(|h| (h.product.0, h.quantity, h.expires_at)),
            Some((product, 3, at))
        );
        assert!(matches!(
            hold(order, &[1, 2], 3, 0),
            Err(StoreError::Corrupt(_))
        ));
        assert!(matches!(
            sale(order, &key(product), -1),
            Err(StoreError::Corrupt(_))
        ));
    }
}
