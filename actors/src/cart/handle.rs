//! `CartHandle`: the typed API to the shoppers' carts.

use std::sync::Arc;
use std::time::Duration;

use ractor::RpcReplyPort;
use ractor::rpc::CallResult;
use souk_models::{Cart, ProductId, UserId};

use super::actor::{CartActor, CartArgs, CartMsg};
use super::{CartError, LineChange};
use crate::directory::Directory;
use crate::store::Store;

/// Attempts to reach a cart whose actor stopped between lookup and delivery.
const ATTEMPTS: usize = 5;

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
        let _pending = crate::mailbox::Pending::new(crate::mailbox::depth("cart"));
        for _ in 0..ATTEMPTS {
            let actor = self
                .directory
                .get(user)
                .await
                .map_err(|e| CartError::Unavailable(e.to_string()))?;
            match actor.call(&build, Some(self.timeout)).await {
                Ok(CallResult::Success(result)) => return result,
                Ok(CallResult::Timeout) => {
                    return Err(CartError::Unavailable("cart timed out".into()));
                }
                // Stopped (idle or crashed) before answering: activate it again.
                Ok(CallResult::SenderError) | Err(_) => self.directory.forget(user, &actor),
            }
        }
        Err(CartError::Unavailable("cart could not be activated".into()))
    }
}
