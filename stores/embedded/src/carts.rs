//! Carts in the embedded store.

use souk_actors::store::{CartStore, StoreError};
use souk_models::{Cart, UserId};

use super::EmbeddedStore;
use super::tables::{CARTS, decode, encode, io, key};

#[async_trait::async_trait]
impl CartStore for EmbeddedStore {
    async fn get_cart(&self, user: UserId) -> Result<Option<Cart>, StoreError> {
        self.read(move |txn| {
            let table = txn.open_table(CARTS).map_err(io)?;
            let found = table.get(key(user.0)).map_err(io)?;
            found.map(|v| decode(v.value())).transpose()
        })
        .await
    }

    async fn put_cart(&self, cart: &Cart) -> Result<(), StoreError> {
        let (user, bytes) = (key(cart.user_id.0), encode(cart)?);
        let empty = cart.lines.is_empty();
        self.write(move |txn| {
            let mut table = txn.open_table(CARTS).map_err(io)?;
            if empty {
                table.remove(user).map_err(io)?;
            } else {
                table.insert(user, bytes.as_slice()).map_err(io)?;
            }
            Ok(())
        })
        .await
    }
}
