//! Product vectors stored beside the products, so a restart does not embed the
//! whole catalog again.

use souk_models::ProductId;

use super::StoreError;

/// A product's sentence vector and the hash of the text it was computed from.
/// The assistant re-embeds a product only when the hash of its current text
/// differs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProductVector {
    /// SHA-256 of the embedded text (and the model it was embedded with).
    pub content_hash: [u8; 32],
    /// The vector's compact encoding (little-endian `f32`s).
    pub vector: Vec<u8>,
}

#[async_trait::async_trait]
pub trait VectorStore: Send + Sync {
    /// Inserts or replaces the vectors of these products in one durable batch.
    async fn put_product_vectors(
        &self,
        vectors: &[(ProductId, ProductVector)],
    ) -> Result<(), StoreError>;
    /// One product's vector, if stored.
    async fn get_product_vector(&self, id: ProductId) -> Result<Option<ProductVector>, StoreError>;
    /// Every stored product vector.
    async fn list_product_vectors(&self) -> Result<Vec<(ProductId, ProductVector)>, StoreError>;
}
