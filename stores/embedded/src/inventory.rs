//! Stock levels and holds in the embedded store.

use souk_actors::store::{Hold, InventoryChange, InventoryStore, StoreError};

use super::EmbeddedStore;
use super::read_table::decode_values;
use super::tables::{HOLDS, STOCK, encode, io, key};

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
        let removed: Vec<(u128, u128)> = change
            .remove_holds
            .iter()
            .map(|(order, product)| (key(order.0), key(product.0)))
            .collect();
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
}
