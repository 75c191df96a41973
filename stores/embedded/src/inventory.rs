//! Stock levels, holds and sales in the embedded store.

use souk_actors::store::{Hold, InventoryChange, InventoryStore, Sale, StoreError};
use souk_models::{OrderId, ProductId};
use uuid::Uuid;

use super::EmbeddedStore;
use super::read_table::decode_values;
use super::tables::{HOLDS, SALES, STOCK, encode, io, key};

#[async_trait::async_trait]
impl InventoryStore for EmbeddedStore {
    async fn apply_inventory(&self, change: &InventoryChange) -> Result<(), StoreError> {
        let levels: Vec<(u128, Vec<u8>)> = change
            .levels
            .iter()
            .map(|(id, level)| Ok((key(id.0), encode(level)?)))
            .collect::<Result<_, StoreError>>()?;
        let holds: Vec<((u128, u128), Vec<u8>)> = change
            .add_holds
            .iter()
            .map(|h| Ok(((key(h.order.0), key(h.product.0)), encode(h)?)))
            .collect::<Result<_, StoreError>>()?;
        let pair = |(order, product): &(OrderId, ProductId)| (key(order.0), key(product.0));
        let removed: Vec<(u128, u128)> = change.remove_holds.iter().map(pair).collect();
        let sales: Vec<((u128, u128), u64)> = change
            .add_sales
            .iter()
            .map(|s| (pair(&(s.order, s.product)), u64::from(s.quantity)))
            .collect();
        let unsold: Vec<(u128, u128)> = change.remove_sales.iter().map(pair).collect();
        self.write(move |txn| {
            let mut stock = txn.open_table(STOCK).map_err(io)?;
            for (id, bytes) in &levels {
                stock.insert(*id, bytes.as_slice()).map_err(io)?;
            }
            let mut table = txn.open_table(HOLDS).map_err(io)?;
            for k in &removed {
                table.remove(*k).map_err(io)?;
            }
            for (k, bytes) in &holds {
                table.insert(*k, bytes.as_slice()).map_err(io)?;
            }
            let mut table = txn.open_table(SALES).map_err(io)?;
            for k in &unsold {
                table.remove(*k).map_err(io)?;
            }
            for (k, quantity) in &sales {
                table.insert(*k, *quantity).map_err(io)?;
            }
            Ok(())
        })
        .await
    }

    async fn list_holds(&self) -> Result<Vec<Hold>, StoreError> {
        self.read(|txn| {
            let table = txn.open_table(HOLDS).map_err(io)?;
            decode_values(table.iter().map_err(io)?)
        })
        .await
    }

    async fn order_sales(&self, order: OrderId) -> Result<Vec<Sale>, StoreError> {
        self.read(|txn| {
            let table = txn.open_table(SALES).map_err(io)?;
            let id = key(order.0);
            let rows = table.range((id, 0)..=(id, u128::MAX)).map_err(io)?;
            rows.map(|row| {
                let (k, quantity) = row?;
                let (_, product) = k.value();
                Ok(Sale {
                    order,
                    product: ProductId(Uuid::from_u128(product)),
                    quantity: u32::try_from(quantity.value())
                        .map_err(|_| StoreError::Corrupt("a sale of over 2^32 units".into()))?,
                })
            })
            .collect()
        })
        .await
    }
}
