//! One-time changes to the layout of a store an older souk wrote, run at open
//! before anything else reads it. Each records in `META` that it is done.

use fjall::Database;
use serde::Deserialize;
use souk_actors::store::StoreError;

use super::base::Base;
use super::tables::{HOLDS, META, SALES, decode, io};
use super::tx::Tx;
use super::writer::commit_rows;

/// Set once paid orders' sales live in `SALES` rather than in `HOLDS`.
const SALES_SPLIT: &str = "layout.sales_split";

/// A hold as souk wrote it before sales had their own table: a paid order's
/// hold stayed, marked `sold`.
#[derive(Deserialize)]
struct OldHold {
    quantity: u32,
    #[serde(default)]
    sold: bool,
}

/// Brings the store at `base` up to the current layout; answers the state to
/// serve from.
pub fn run(db: &Database, base: Base) -> Result<Base, StoreError> {
    let tx = Tx::new(base);
    let done = tx.open_table(META)?.get(SALES_SPLIT)?.is_some();
    if done {
        return Ok(tx.finish().0);
    }
    let mut moved = 0u64;
    {
        let holds = tx.open_table(HOLDS)?;
        let mut sold = Vec::new();
        for row in holds.iter()? {
            let (k, v) = row?;
            let hold: OldHold = decode(v.value())?;
            if hold.sold {
                sold.push((k.value(), u64::from(hold.quantity)));
            }
        }
        let mut holds = tx.open_table(HOLDS)?;
        let mut sales = tx.open_table(SALES)?;
        for (k, quantity) in sold {
            holds.remove(k).map_err(io)?;
            sales.insert(k, quantity).map_err(io)?;
            moved += 1;
        }
    }
    tx.open_table(META)?.insert(SALES_SPLIT, b"1".as_slice())?;
    let (base, rows, _) = tx.finish();
    let base = commit_rows(db, &base, rows)?;
    if moved > 0 {
        tracing::info!(
            moved,
            "store upgraded: paid orders' sales moved to their own table"
        );
    }
    Ok(base)
}

#[cfg(test)]
mod tests {
    use souk_actors::store::{InventoryStore, Sale};
    use souk_models::{OrderId, ProductId};

    use super::super::EmbeddedStore;
    use super::super::tables::key;
    use super::*;

    /// A store as an older souk left it: one unpaid hold and one paid
    /// order's hold marked sold, and no record of the split.
    async fn old_layout(store: &EmbeddedStore, unpaid: OrderId, paid: OrderId, product: ProductId) {
        let row = |order: OrderId, sold: bool| {
            format!(
                r#"{{"order":"{order}","product":"{product}","quantity":3,"expires_at":"2026-12-06T12:00:00Z","sold":{sold}}}"#
            )
        };
        let rows = [(unpaid, row(unpaid, false)), (paid, row(paid, true))];
        store
            .write(move |txn| {
                let mut holds = txn.open_table(HOLDS)?;
                for (order, json) in &rows {
                    holds.insert((key(order.0), key(product.0)), json.as_bytes())?;
                }
                txn.open_table(META)?.remove(SALES_SPLIT)?;
                Ok(())
            })
            .await
            .expect("the old rows are written");
    }

    #[tokio::test]
    async fn sold_holds_of_an_older_store_become_sales_once() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let (unpaid, paid, product) = (OrderId::new(), OrderId::new(), ProductId::new());
        {
            let store = EmbeddedStore::open(dir.path()).expect("the store opens");
            old_layout(&store, unpaid, paid, product).await;
            store.close().await;
        }
        for _ in 0..2 {
            let store = EmbeddedStore::open(dir.path()).expect("the store reopens");
            let holds = store.list_holds().await.expect("the holds read");
            assert_eq!(
                holds.iter().map(|h| h.order).collect::<Vec<_>>(),
                vec![unpaid]
            );
            let sales = store.order_sales(paid).await.expect("the sales read");
            let sale = Sale {
                order: paid,
                product,
                quantity: 3,
            };
            assert_eq!(sales, vec![sale]);
            assert!(store.order_sales(unpaid).await.expect("a read").is_empty());
            store.close().await;
        }
    }
}
