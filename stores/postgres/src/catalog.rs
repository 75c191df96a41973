//! Categories, products, stock levels and product vectors in the PostgreSQL
//! store.

use std::collections::BTreeMap;

use souk_actors::store::{CatalogStore, ProductVector, StoreError, VectorStore};
use souk_models::{Category, Product, ProductId, StockLevel};
use tokio_postgres::Row;
use tokio_postgres::types::Json;

use super::PostgresStore;
use super::db::{column, doc, docs, from_bigint, opt, rows, to_bigint};
use uuid::Uuid;

const PUT_CATEGORY: &str = "INSERT INTO categories (slug, doc) VALUES ($1, $2) \
                            ON CONFLICT (slug) DO UPDATE SET doc = EXCLUDED.doc";
const PUT_PRODUCT: &str = "INSERT INTO products (id, seller_id, doc) VALUES ($1, $2, $3) \
                           ON CONFLICT (id) DO UPDATE SET seller_id = EXCLUDED.seller_id, \
                           doc = EXCLUDED.doc";
const PUT_STOCK: &str = "INSERT INTO stock (product_id, on_hand, reserved, sold) \
                                    VALUES ($1, $2, $3, $4) ON CONFLICT (product_id) DO UPDATE \
                                    SET on_hand = EXCLUDED.on_hand, \
                                    reserved = EXCLUDED.reserved, sold = EXCLUDED.sold";

fn stored_units(row: &Row, index: usize) -> Result<u64, StoreError> {
    from_bigint(column(row, index)?, "unit count")
}

pub(super) fn stock_level(row: &Row, from: usize) -> Result<StockLevel, StoreError> {
    Ok(StockLevel {
        on_hand: stored_units(row, from)?,
        reserved: stored_units(row, from + 1)?,
        sold: stored_units(row, from + 2)?,
    })
}

/// A catalog batch in one statement: categories, products and their stock,
/// each kind one array-valued part (later entries for one key win).
const PUT_BATCH: &str = "\
WITH categories AS (
    INSERT INTO categories (slug, doc) SELECT * FROM unnest($1::text[], $2::jsonb[])
    ON CONFLICT (slug) DO UPDATE SET doc = EXCLUDED.doc
), products AS (
    INSERT INTO products (id, seller_id, doc)
    SELECT * FROM unnest($3::uuid[], $4::uuid[], $5::jsonb[])
    ON CONFLICT (id) DO UPDATE SET seller_id = EXCLUDED.seller_id, doc = EXCLUDED.doc
)
INSERT INTO stock (product_id, on_hand, reserved, sold)
SELECT * FROM unnest($6::uuid[], $7::bigint[], $8::bigint[], $9::bigint[])
ON CONFLICT (product_id) DO UPDATE SET on_hand = EXCLUDED.on_hand,
    reserved = EXCLUDED.reserved, sold = EXCLUDED.sold";

#[async_trait::async_trait]
impl CatalogStore for PostgresStore {
    async fn put_category(&self, category: &Category) -> Result<(), StoreError> {
        self.write_one(PUT_CATEGORY, &[&category.slug.as_str(), &Json(category)])
            .await?;
        Ok(())
    }

    async fn list_categories(&self) -> Result<Vec<Category>, StoreError> {
        let client = self.client().await?;
        docs(
            &rows(&client, "SELECT doc FROM categories ORDER BY slug", &[]).await?,
            0,
        )
    }

    async fn put_product(&self, product: &Product) -> Result<(), StoreError> {
        self.write_one(
            PUT_PRODUCT,
            &[&product.id.0, &product.seller_id.0, &Json(product)],
        )
        .await?;
        Ok(())
    }

    async fn get_product(&self, id: ProductId) -> Result<Option<Product>, StoreError> {
        let client = self.client().await?;
        let row = opt(&client, "SELECT doc FROM products WHERE id = $1", &[&id.0]).await?;
        row.map(|r| doc(&r, 0)).transpose()
    }

    async fn list_products(&self) -> Result<Vec<Product>, StoreError> {
        let client = self.client().await?;
        docs(
            &rows(&client, "SELECT doc FROM products ORDER BY id", &[]).await?,
            0,
        )
    }

    async fn put_stock(&self, id: ProductId, level: &StockLevel) -> Result<(), StoreError> {
        let (on_hand, reserved, sold) = (
            to_bigint(level.on_hand, "unit count")?,
            to_bigint(level.reserved, "unit count")?,
            to_bigint(level.sold, "unit count")?,
        );
        self.write_one(PUT_STOCK, &[&id.0, &on_hand, &reserved, &sold])
            .await?;
        Ok(())
    }

    async fn get_stock(&self, id: ProductId) -> Result<Option<StockLevel>, StoreError> {
        let client = self.client().await?;
        let row = opt(
            &client,
            "SELECT on_hand, reserved, sold FROM stock WHERE product_id = $1",
            &[&id.0],
        )
        .await?;
        row.map(|r| stock_level(&r, 0)).transpose()
    }

    async fn list_stock(&self) -> Result<Vec<(ProductId, StockLevel)>, StoreError> {
        let client = self.client().await?;
        let found = rows(
            &client,
            "SELECT product_id, on_hand, reserved, sold FROM stock ORDER BY product_id",
            &[],
        )
        .await?;
        found
            .iter()
            .map(|row| Ok((ProductId(column(row, 0)?), stock_level(row, 1)?)))
            .collect()
    }

    async fn put_catalog_batch(
        &self,
        categories: &[Category],
        products: &[(Product, StockLevel)],
    ) -> Result<(), StoreError> {
        let categories: BTreeMap<&str, &Category> =
            categories.iter().map(|c| (c.slug.as_str(), c)).collect();
        let products: BTreeMap<Uuid, &(Product, StockLevel)> =
            products.iter().map(|p| (p.0.id.0, p)).collect();
        let slugs: Vec<&str> = categories.keys().copied().collect();
        let category_docs: Vec<Json<&Category>> = categories.values().map(|c| Json(*c)).collect();
        let ids: Vec<Uuid> = products.keys().copied().collect();
        let sellers: Vec<Uuid> = products.values().map(|(p, _)| p.seller_id.0).collect();
        let product_docs: Vec<Json<&Product>> = products.values().map(|(p, _)| Json(p)).collect();
        let mut counts: [Vec<i64>; 3] = Default::default();
        for (_, level) in products.values() {
            counts[0].push(to_bigint(level.on_hand, "unit count")?);
            counts[1].push(to_bigint(level.reserved, "unit count")?);
            counts[2].push(to_bigint(level.sold, "unit count")?);
        }
        self.write_one(
            PUT_BATCH,
            &[
                &slugs,
                &category_docs,
                &ids,
                &sellers,
                &product_docs,
                &ids,
                &counts[0],
                &counts[1],
                &counts[2],
            ],
        )
        .await?;
        Ok(())
    }
}

pub(super) fn product_vector(row: &Row, from: usize) -> Result<ProductVector, StoreError> {
    let hash: Vec<u8> = column(row, from)?;
    Ok(ProductVector {
        content_hash: hash
            .try_into()
            .map_err(|_| StoreError::Corrupt("a content hash that is not 32 bytes".into()))?,
        vector: column(row, from + 1)?,
    })
}

#[async_trait::async_trait]
impl VectorStore for PostgresStore {
    async fn put_product_vectors(
        &self,
        vectors: &[(ProductId, ProductVector)],
    ) -> Result<(), StoreError> {
        let vectors: BTreeMap<Uuid, &ProductVector> =
            vectors.iter().map(|(id, v)| (id.0, v)).collect();
        let ids: Vec<Uuid> = vectors.keys().copied().collect();
        let hashes: Vec<&[u8]> = vectors
            .values()
            .map(|v| v.content_hash.as_slice())
            .collect();
        let bytes: Vec<&[u8]> = vectors.values().map(|v| v.vector.as_slice()).collect();
        self.write_one(
            "INSERT INTO product_vectors (product_id, content_hash, vector) \
             SELECT * FROM unnest($1::uuid[], $2::bytea[], $3::bytea[]) \
             ON CONFLICT (product_id) DO UPDATE SET content_hash = EXCLUDED.content_hash, \
             vector = EXCLUDED.vector",
            &[&ids, &hashes, &bytes],
        )
        .await?;
        Ok(())
    }

    async fn get_product_vector(&self, id: ProductId) -> Result<Option<ProductVector>, StoreError> {
        let client = self.client().await?;
        let row = opt(
            &client,
            "SELECT content_hash, vector FROM product_vectors WHERE product_id = $1",
            &[&id.0],
        )
        .await?;
        row.map(|r| product_vector(&r, 0)).transpose()
    }

    async fn list_product_vectors(&self) -> Result<Vec<(ProductId, ProductVector)>, StoreError> {
        let client = self.client().await?;
        let found = rows(
            &client,
            "SELECT product_id, content_hash, vector FROM product_vectors ORDER BY product_id",
            &[],
        )
        .await?;
        found
            .iter()
            .map(|row| Ok((ProductId(column(row, 0)?), product_vector(row, 1)?)))
            .collect()
    }
}
