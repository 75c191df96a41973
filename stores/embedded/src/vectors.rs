//! Product vectors in the embedded store: 32 bytes of content hash followed by
//! the vector's bytes, keyed by product id.

use souk_actors::store::{ProductVector, StoreError, VectorStore};
use souk_models::ProductId;
use uuid::Uuid;

use super::EmbeddedStore;
use super::tables::{PRODUCT_VECTORS, io, key};

pub(super) fn encode(vector: &ProductVector) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(32 + vector.vector.len());
    bytes.extend_from_slice(&vector.content_hash);
    bytes.extend_from_slice(&vector.vector);
    bytes
}

pub(super) fn decode(bytes: &[u8]) -> Result<ProductVector, StoreError> {
    let (hash, vector) = bytes
        .split_first_chunk::<32>()
        .ok_or_else(|| StoreError::Corrupt("product vector shorter than its hash".into()))?;
    Ok(ProductVector {
        content_hash: *hash,
        vector: vector.to_vec(),
    })
}

#[async_trait::async_trait]
impl VectorStore for EmbeddedStore {
    async fn put_product_vectors(
        &self,
        vectors: &[(ProductId, ProductVector)],
    ) -> Result<(), StoreError> {
        let rows: Vec<(u128, Vec<u8>)> = vectors
            .iter()
            .map(|(id, v)| (key(id.0), encode(v)))
            .collect();
        self.write(move |txn| {
            let mut table = txn.open_table(PRODUCT_VECTORS).map_err(io)?;
            for (id, bytes) in &rows {
                table.insert(*id, bytes.as_slice()).map_err(io)?;
            }
            Ok(())
        })
        .await
    }

    async fn get_product_vector(&self, id: ProductId) -> Result<Option<ProductVector>, StoreError> {
        self.read(move |txn| {
            let table = txn.open_table(PRODUCT_VECTORS).map_err(io)?;
            let found = table.get(key(id.0)).map_err(io)?;
            found.map(|v| decode(v.value())).transpose()
        })
        .await
    }

    async fn list_product_vectors(&self) -> Result<Vec<(ProductId, ProductVector)>, StoreError> {
        self.read(|txn| {
            let table = txn.open_table(PRODUCT_VECTORS).map_err(io)?;
            table
                .iter()
                .map_err(io)?
                .map(|row| {
                    let (id, bytes) = row.map_err(io)?;
                    Ok((
                        ProductId(Uuid::from_u128(id.value())),
                        decode(bytes.value())?,
                    ))
                })
                .collect()
        })
        .await
    }
}
