//! Categories, products and stock in the embedded store.

use souk_actors::store::{CatalogStore, StoreError};
use souk_models::{Category, Product, ProductId, StockLevel};
use uuid::Uuid;

use super::EmbeddedStore;
use super::read_table::decode_values;
use super::tables::{CATEGORIES, PRODUCTS, STOCK, decode, encode, io, key};
use super::tx::Tx;

pub(super) fn put_category(txn: &Tx, category: &Category) -> Result<(), StoreError> {
    let bytes = encode(category)?;
    let mut table = txn.open_table(CATEGORIES).map_err(io)?;
    table
        .insert(category.slug.as_str(), bytes.as_slice())
        .map_err(io)?;
    Ok(())
}

pub(super) fn put_product(txn: &Tx, product: &Product) -> Result<(), StoreError> {
    let bytes = encode(product)?;
    let mut table = txn.open_table(PRODUCTS).map_err(io)?;
    table
        .insert(key(product.id.0), bytes.as_slice())
        .map_err(io)?;
    Ok(())
}

pub(super) fn put_stock(txn: &Tx, id: ProductId, level: &StockLevel) -> Result<(), StoreError> {
    let bytes = encode(level)?;
    let mut table = txn.open_table(STOCK).map_err(io)?;
    table.insert(key(id.0), bytes.as_slice()).map_err(io)?;
    Ok(())
}

#[async_trait::async_trait]
impl CatalogStore for EmbeddedStore {
    async fn put_category(&self, category: &Category) -> Result<(), StoreError> {
        let category = category.clone();
        self.write(move |txn| put_category(txn, &category)).await
    }

    async fn list_categories(&self) -> Result<Vec<Category>, StoreError> {
        self.read(|txn| {
            let table = txn.open_table(CATEGORIES).map_err(io)?;
            decode_values(table.iter().map_err(io)?)
        })
        .await
    }

    async fn put_product(&self, product: &Product) -> Result<(), StoreError> {
        let product = product.clone();
        self.write(move |txn| put_product(txn, &product)).await
    }

    async fn get_product(&self, id: ProductId) -> Result<Option<Product>, StoreError> {
        self.read(move |txn| {
            let table = txn.open_table(PRODUCTS).map_err(io)?;
            let found = table.get(key(id.0)).map_err(io)?;
            found.map(|v| decode(v.value())).transpose()
        })
        .await
    }

    async fn list_products(&self) -> Result<Vec<Product>, StoreError> {
        self.read(|txn| {
            let table = txn.open_table(PRODUCTS).map_err(io)?;
            decode_values(table.iter().map_err(io)?)
        })
        .await
    }

    async fn put_stock(&self, id: ProductId, level: &StockLevel) -> Result<(), StoreError> {
        let level = *level;
        self.write(move |txn| put_stock(txn, id, &level)).await
    }

    async fn get_stock(&self, id: ProductId) -> Result<Option<StockLevel>, StoreError> {
        self.read(move |txn| {
            let table = txn.open_table(STOCK).map_err(io)?;
            let found = table.get(key(id.0)).map_err(io)?;
            found.map(|v| decode(v.value())).transpose()
        })
        .await
    }

    async fn list_stock(&self) -> Result<Vec<(ProductId, StockLevel)>, StoreError> {
        self.read(|txn| {
            let table = txn.open_table(STOCK).map_err(io)?;
            table
                .iter()
                .map_err(io)?
                .map(|row| {
                    let (id, value) = row.map_err(io)?;
                    Ok((
                        ProductId(Uuid::from_u128(id.value())),
                        decode(value.value())?,
                    ))
                })
                .collect()
        })
        .await
    }

    async fn put_catalog_batch(
        &self,
        categories: &[Category],
        products: &[(Product, StockLevel)],
    ) -> Result<(), StoreError> {
        let (categories, products) = (categories.to_vec(), products.to_vec());
        self.write(move |txn| {
            for category in &categories {
                put_category(txn, category)?;
            }
            for (product, level) in &products {
                put_product(txn, product)?;
                put_stock(txn, product.id, level)?;
            }
            Ok(())
        })
        .await
    }
}
