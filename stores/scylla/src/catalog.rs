//! Categories, products, stock levels and product vectors in the ScyllaDB
//! store. The whole catalog is read at start-up (the nodes serve it from
//! memory), so products and stock are keyed by product alone and listed by
//! a paged scan.

use souk_actors::store::{CatalogStore, ProductVector, StoreError, VectorStore};
use souk_models::{Category, Product, ProductId, StockLevel};
use uuid::Uuid;

use super::ScyllaStore;
use super::db::{Write, vals};
use super::docs::{from_bigint, from_doc, to_bigint, to_doc};

/// Writes per logged batch when a batch is split: ScyllaDB refuses batches
/// over a size limit (1 MiB by default) and warns well before it.
pub(crate) const BATCH_WRITES: usize = 64;

/// The one partition categories live in.
pub(crate) const CATEGORIES: &str = "all";

pub(crate) fn category_write(category: &Category) -> Result<Write, StoreError> {
    Ok(Write::new(
        "INSERT INTO categories (scope, slug, doc) VALUES (?, ?, ?)",
        vals![CATEGORIES, category.slug.as_str(), to_doc(category)?],
    ))
}

pub(crate) fn product_write(product: &Product) -> Result<Write, StoreError> {
    Ok(Write::new(
        "INSERT INTO products (id, doc) VALUES (?, ?)",
        vals![product.id.0, to_doc(product)?],
    ))
}

pub(crate) fn stock_write(id: ProductId, level: &StockLevel) -> Result<Write, StoreError> {
    if level.reserved.saturating_add(level.sold) > level.on_hand {
        return Err(StoreError::Conflict(format!(
            "stock of {id}: {} reserved and {} sold exceed {} on hand",
            level.reserved, level.sold, level.on_hand
        )));
    }
    Ok(Write::new(
        "INSERT INTO stock (product_id, on_hand, reserved, sold) VALUES (?, ?, ?, ?)",
        vals![
            id.0,
            to_bigint(level.on_hand, "on hand")?,
            to_bigint(level.reserved, "reserved")?,
            to_bigint(level.sold, "sold")?
        ],
    ))
}

pub(crate) fn vector_write(id: ProductId, vector: &ProductVector) -> Write {
    Write::new(
        "INSERT INTO product_vectors (product_id, content_hash, vector) VALUES (?, ?, ?)",
        vals![id.0, vector.content_hash.to_vec(), vector.vector.clone()],
    )
}

pub(crate) fn stock_level(
    on_hand: i64,
    reserved: i64,
    sold: i64,
) -> Result<StockLevel, StoreError> {
    Ok(StockLevel {
        on_hand: from_bigint(on_hand, "on hand")?,
        reserved: from_bigint(reserved, "reserved")?,
        sold: from_bigint(sold, "sold")?,
    })
}

pub(crate) fn product_vector(hash: &[u8], vector: Vec<u8>) -> Result<ProductVector, StoreError> {
    Ok(ProductVector {
        content_hash: hash
            .try_into()
            .map_err(|_| StoreError::Corrupt("a content hash is not 32 bytes".into()))?,
        vector,
    })
}

impl ScyllaStore {
    /// Writes `writes` in logged batches of [`BATCH_WRITES`]: each batch
    /// lands whole; a failure leaves the earlier ones written (every write
    /// here replaces by key, so writing them again is safe).
    pub(crate) async fn batches(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        let mut writes = writes.into_iter().peekable();
        while writes.peek().is_some() {
            let chunk: Vec<Write> = writes.by_ref().take(BATCH_WRITES).collect();
            self.batch(chunk).await?;
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl CatalogStore for ScyllaStore {
    async fn put_category(&self, category: &Category) -> Result<(), StoreError> {
        self.batch(vec![category_write(category)?]).await?;
        Ok(())
    }

    async fn list_categories(&self) -> Result<Vec<Category>, StoreError> {
        let rows: Vec<(String,)> = self
            .db
            .scan(
                "SELECT doc FROM categories WHERE scope = ?",
                vals![CATEGORIES],
            )
            .await?;
        rows.iter().map(|(doc,)| from_doc(doc)).collect()
    }

    async fn put_product(&self, product: &Product) -> Result<(), StoreError> {
        self.batch(vec![product_write(product)?]).await?;
        Ok(())
    }

    async fn get_product(&self, id: ProductId) -> Result<Option<Product>, StoreError> {
        let row: Option<(String,)> = self
            .db
            .opt("SELECT doc FROM products WHERE id = ?", vals![id.0])
            .await?;
        row.map(|(doc,)| from_doc(&doc)).transpose()
    }

    async fn list_products(&self) -> Result<Vec<Product>, StoreError> {
        let rows: Vec<(String,)> = self.db.scan("SELECT doc FROM products", vec![]).await?;
        rows.iter().map(|(doc,)| from_doc(doc)).collect()
    }

    async fn put_stock(&self, id: ProductId, level: &StockLevel) -> Result<(), StoreError> {
        self.batch(vec![stock_write(id, level)?]).await?;
        Ok(())
    }

    async fn get_stock(&self, id: ProductId) -> Result<Option<StockLevel>, StoreError> {
        let row: Option<(i64, i64, i64)> = self
            .db
            .opt(
                "SELECT on_hand, reserved, sold FROM stock WHERE product_id = ?",
                vals![id.0],
            )
            .await?;
        row.map(|(a, b, c)| stock_level(a, b, c)).transpose()
    }

    async fn list_stock(&self) -> Result<Vec<(ProductId, StockLevel)>, StoreError> {
        let rows: Vec<(Uuid, i64, i64, i64)> = self
            .db
            .scan(
                "SELECT product_id, on_hand, reserved, sold FROM stock",
                vec![],
            )
            .await?;
        rows.into_iter()
            .map(|(id, a, b, c)| Ok((ProductId(id), stock_level(a, b, c)?)))
            .collect()
    }

    /// Written in logged batches of [`BATCH_WRITES`] (a seeding batch may
    /// exceed what one ScyllaDB batch takes); seeding is marked done only
    /// after every batch has landed, so an interrupted one runs again.
    async fn put_catalog_batch(
        &self,
        categories: &[Category],
        products: &[(Product, StockLevel)],
    ) -> Result<(), StoreError> {
        let mut writes = Vec::with_capacity(categories.len() + 2 * products.len());
        for category in categories {
            writes.push(category_write(category)?);
        }
        for (product, level) in products {
            writes.push(product_write(product)?);
            writes.push(stock_write(product.id, level)?);
        }
        self.batches(writes).await
    }
}

#[async_trait::async_trait]
impl VectorStore for ScyllaStore {
    async fn put_product_vectors(
        &self,
        vectors: &[(ProductId, ProductVector)],
    ) -> Result<(), StoreError> {
        let writes = vectors
            .iter()
            .map(|(id, vector)| vector_write(*id, vector))
            .collect();
        self.batches(writes).await
    }

    async fn get_product_vector(&self, id: ProductId) -> Result<Option<ProductVector>, StoreError> {
        let row: Option<(Vec<u8>, Vec<u8>)> = self
            .db
            .opt(
                "SELECT content_hash, vector FROM product_vectors WHERE product_id = ?",
                vals![id.0],
            )
            .await?;
        row.map(|(hash, vector)| product_vector(&hash, vector))
            .transpose()
    }

    async fn list_product_vectors(&self) -> Result<Vec<(ProductId, ProductVector)>, StoreError> {
        let rows: Vec<(Uuid, Vec<u8>, Vec<u8>)> = self
            .db
            .scan(
                "SELECT product_id, content_hash, vector FROM product_vectors",
                vec![],
            )
            .await?;
        rows.into_iter()
            .map(|(id, hash, vector)| Ok((ProductId(id), product_vector(&hash, vector)?)))
            .collect()
    }
}
