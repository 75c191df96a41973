//! Carts in the PostgreSQL store: one document per user, saved through
//! the group-committed `put_carts` writer (placing an order empties its
//! buyer's cart in the order's own statement, `orders.rs`).

use souk_actors::store::{CartStore, StoreError};
use souk_models::{Cart, UserId};
use tokio_postgres::types::Json;
use uuid::Uuid;

use super::PostgresStore;
use super::batch::{Outcomes, Run};
use super::db::{doc, opt};

/// Saves carts in one statement: an empty cart is deleted, any other
/// replaces its user's.
const PUT_CARTS: &str = "\
WITH emptied AS (
    DELETE FROM carts WHERE user_id = ANY($1::uuid[])
)
INSERT INTO carts (user_id, doc) SELECT * FROM unnest($2::uuid[], $3::jsonb[])
ON CONFLICT (user_id) DO UPDATE SET doc = EXCLUDED.doc";

/// The batch runner that saves carts.
pub(super) fn put_carts(store: PostgresStore, carts: Vec<Cart>) -> Run<()> {
    Box::pin(async move { store.save_carts(carts).await })
}

impl PostgresStore {
    async fn save_carts(&self, mut carts: Vec<Cart>) -> Outcomes<()> {
        let count = carts.len();
        carts.sort_by_key(|c| c.user_id);
        let (empty, full): (Vec<&Cart>, Vec<&Cart>) =
            carts.iter().partition(|c| c.lines.is_empty());
        let emptied: Vec<Uuid> = empty.iter().map(|c| c.user_id.0).collect();
        let users: Vec<Uuid> = full.iter().map(|c| c.user_id.0).collect();
        let docs: Vec<Json<&Cart>> = full.into_iter().map(Json).collect();
        self.write_one(PUT_CARTS, &[&emptied, &users, &docs])
            .await?;
        Ok((0..count).map(|_| Ok(())).collect())
    }
}

#[async_trait::async_trait]
impl CartStore for PostgresStore {
    async fn get_cart(&self, user: UserId) -> Result<Option<Cart>, StoreError> {
        let client = self.client().await?;
        let row = opt(
            &client,
            "SELECT doc FROM carts WHERE user_id = $1",
            &[&user.0],
        )
        .await?;
        row.map(|r| doc(&r, 0)).transpose()
    }

    async fn put_cart(&self, cart: &Cart) -> Result<(), StoreError> {
        self.batched(|b| &b.carts, put_carts, cart.clone()).await
    }
}
