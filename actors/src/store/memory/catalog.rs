//! Catalog, stock, holds, sales and settings in memory.

use souk_models::{Category, OrderId, Product, ProductId, StockLevel};

use super::super::{
    CatalogStore, Hold, InventoryChange, InventoryStore, MetaStore, ProductVector, Sale,
    StoreError, VectorStore,
};
use super::MemoryStore;

#[async_trait::async_trait]
impl CatalogStore for MemoryStore {
    async fn put_category(&self, category: &Category) -> Result<(), StoreError> {
        let slug = category.slug.as_str().to_owned();
        self.write()?.categories.insert(slug, category.clone());
        Ok(())
    }

    async fn list_categories(&self) -> Result<Vec<Category>, StoreError> {
        Ok(self.lock().categories.values().cloned().collect())
    }

    async fn put_product(&self, product: &Product) -> Result<(), StoreError> {
        self.write()?.products.insert(product.id, product.clone());
        Ok(())
    }

    async fn get_product(&self, id: ProductId) -> Result<Option<Product>, StoreError> {
        Ok(self.lock().products.get(&id).cloned())
    }

    async fn list_products(&self) -> Result<Vec<Product>, StoreError> {
        Ok(self.lock().products.values().cloned().collect())
    }

    async fn put_stock(&self, id: ProductId, level: &StockLevel) -> Result<(), StoreError> {
        self.write()?.stock.insert(id, *level);
        Ok(())
    }

    async fn get_stock(&self, id: ProductId) -> Result<Option<StockLevel>, StoreError> {
        Ok(self.lock().stock.get(&id).copied())
    }

    async fn list_stock(&self) -> Result<Vec<(ProductId, StockLevel)>, StoreError> {
        Ok(self.lock().stock.iter().map(|(k, v)| (*k, *v)).collect())
    }

    async fn put_catalog_batch(
        &self,
        categories: &[Category],
        products: &[(Product, StockLevel)],
    ) -> Result<(), StoreError> {
        let mut db = self.write()?;
        for c in categories {
            db.categories.insert(c.slug.as_str().to_owned(), c.clone());
        }
        for (p, level) in products {
            db.products.insert(p.id, p.clone());
            db.stock.insert(p.id, *level);
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl InventoryStore for MemoryStore {
    async fn apply_inventory(&self, change: &InventoryChange) -> Result<(), StoreError> {
        #[cfg(test)]
        if self.inventory_write_fails() {
            return Err(StoreError::Unavailable("injected write failure".into()));
        }
        let mut db = self.write()?;
        for (id, level) in &change.levels {
            db.stock.insert(*id, *level);
        }
        for key in &change.remove_holds {
            db.holds.remove(key);
        }
        for hold in &change.add_holds {
            db.holds.insert((hold.order, hold.product), *hold);
        }
        for key in &change.remove_sales {
            db.sales.remove(key);
        }
        for sale in &change.add_sales {
            db.sales.insert((sale.order, sale.product), *sale);
        }
        Ok(())
    }

    async fn list_holds(&self) -> Result<Vec<Hold>, StoreError> {
        Ok(self.lock().holds.values().copied().collect())
    }

    async fn order_sales(&self, order: OrderId) -> Result<Vec<Sale>, StoreError> {
        let db = self.lock();
        let from = (order, ProductId(uuid::Uuid::nil()));
        Ok(db
            .sales
            .range(from..)
            .take_while(|((o, _), _)| *o == order)
            .map(|(_, sale)| *sale)
            .collect())
    }
}

#[async_trait::async_trait]
impl MetaStore for MemoryStore {
    async fn get_meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.lock().meta.get(key).cloned())
    }

    async fn put_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.write()?.meta.insert(key.to_owned(), value.to_owned());
        Ok(())
    }
}

#[async_trait::async_trait]
impl VectorStore for MemoryStore {
    async fn put_product_vectors(
        &self,
        vectors: &[(ProductId, ProductVector)],
    ) -> Result<(), StoreError> {
        let mut db = self.write()?;
        for (id, vector) in vectors {
            db.vectors.insert(*id, vector.clone());
        }
        Ok(())
    }

    async fn get_product_vector(&self, id: ProductId) -> Result<Option<ProductVector>, StoreError> {
        Ok(self.lock().vectors.get(&id).cloned())
    }

    async fn list_product_vectors(&self) -> Result<Vec<(ProductId, ProductVector)>, StoreError> {
        Ok(self
            .lock()
            .vectors
            .iter()
            .map(|(id, v)| (*id, v.clone()))
            .collect())
    }
}
