//! Shopping carts: lines and quantities only; prices come from the catalog.

use souk_models::{Cart, UserId};

use super::StoreError;

#[async_trait::async_trait]
pub trait CartStore: Send + Sync {
    async fn get_cart(&self, user: UserId) -> Result<Option<Cart>, StoreError>;
    /// Replaces the cart; an empty cart is deleted.
    async fn put_cart(&self, cart: &Cart) -> Result<(), StoreError>;
}
