//! Categories, products and their stock.

use souk_models::{Category, Product, ProductId, StockLevel};

use super::StoreError;

#[async_trait::async_trait]
pub trait CatalogStore: Send + Sync {
    async fn put_category(&self, category: &Category) -> Result<(), StoreError>;
    async fn list_categories(&self) -> Result<Vec<Category>, StoreError>;

    /// Inserts or replaces a product.
    async fn put_product(&self, product: &Product) -> Result<(), StoreError>;
    async fn get_product(&self, id: ProductId) -> Result<Option<Product>, StoreError>;
    /// Every product, for building the in-memory catalog at start-up.
    async fn list_products(&self) -> Result<Vec<Product>, StoreError>;

    async fn put_stock(&self, id: ProductId, level: &StockLevel) -> Result<(), StoreError>;
    async fn get_stock(&self, id: ProductId) -> Result<Option<StockLevel>, StoreError>;
    async fn list_stock(&self) -> Result<Vec<(ProductId, StockLevel)>, StoreError>;

    /// Writes categories, products and their stock in one durable batch (seeding).
    async fn put_catalog_batch(
        &self,
        categories: &[Category],
        products: &[(Product, StockLevel)],
    ) -> Result<(), StoreError>;
}
