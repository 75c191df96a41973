//! `CartHandle`: the typed API to the shoppers' carts.

use std::sync::Arc;
use std::time::Duration;

use ractor::RpcReplyPort;
use souk_models::{Cart, ProductId, UserId};

use super::actor::{CartActor, CartArgs, CartMsg};
use super::{CartError, LineChange};
use crate::directory::Directory;
use crate::store::Store;

#[derive(Clone)]
pub struct CartHandle {
    pub(crate) directory: Arc<Directory<CartActor>>,
    timeout: Duration,
}

impl CartHandle {
    /// Starts the cart directory; carts leave memory after `idle` unused.
    pub async fn start(
        store: Arc<dyn Store>,
        idle: Duration,
        timeout: Duration,
    ) -> Result<Self, CartError> {
        let factory = Arc::new(move |user| {
            (
                CartActor,
                CartArgs {
                    user,
                    store: store.clone(),
                },
            )
        });
        let directory = Directory::start(factory, idle)
            .await
            .map_err(|e| CartError::Unavailable(e.to_string()))?;
        Ok(Self {
            directory: Arc::new(directory),
            timeout,
        })
    }

    pub async fn get(&self, user: UserId) -> Result<Cart, CartError> {
        self.call(user, |reply| CartMsg::Get { reply }).await
    }

    /// Changes one line; `available` is the product's stock now, which a line
    /// may not grow beyond.
    pub async fn change(
        &self,
        user: UserId,
        product: ProductId,
        change: LineChange,
        available: u64,
    ) -> Result<Cart, CartError> {
        self.call(user, |reply| CartMsg::Change {
            product,
            change,
            available,
            reply,
        })
        .await
    }

    pub async fn clear(&self, user: UserId) -> Result<Cart, CartError> {
        self.call(user, |reply| CartMsg::Clear { reply }).await
    }

    /// Carts currently in memory.
    pub fn live(&self) -> usize {
        self.directory.live()
    }

    /// Stops every cart actor (their state is already durable).
    pub async fn stop(&self) {
        self.directory.stop().await;
    }

    async fn call<T: Send + 'static>(
        &self,
        user: UserId,
        build: impl Fn(RpcReplyPort<Result<T, CartError>>) -> CartMsg,
    ) -> Result<T, CartError> {
        self.directory
            .call(user, build, self.timeout)
            .await
            .map_err(|e| CartError::Unavailable(format!("cart {e}")))?
    }
}
