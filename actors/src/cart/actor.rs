//! The cart actor: loads its cart on activation, writes every change through to
//! the store before answering; its directory passivates it when idle.

use std::sync::Arc;

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use souk_models::{Cart, ProductId, UserId};
use time::OffsetDateTime;

use super::{CartError, LineChange, apply};
use crate::directory::Virtual;
use crate::store::Store;

pub(crate) type Reply<T> = RpcReplyPort<Result<T, CartError>>;

pub(crate) enum CartMsg {
    Get {
        reply: Reply<Cart>,
    },
    Change {
        product: ProductId,
        change: LineChange,
        available: u64,
        reply: Reply<Cart>,
    },
    Clear {
        reply: Reply<Cart>,
    },
    #[cfg(test)]
    Crash,
}

pub(crate) struct CartArgs {
    pub user: UserId,
    pub store: Arc<dyn Store>,
}

pub(crate) struct CartState {
    store: Arc<dyn Store>,
    cart: Cart,
}

pub(crate) struct CartActor;

impl Virtual for CartActor {
    type Key = UserId;
    const KIND: &'static str = "cart";
}

impl Actor for CartActor {
    type Msg = CartMsg;
    type State = CartState;
    type Arguments = CartArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<CartMsg>,
        args: CartArgs,
    ) -> Result<CartState, ActorProcessingErr> {
        let cart = args
            .store
            .get_cart(args.user)
            .await?
            .unwrap_or_else(|| Cart {
                user_id: args.user,
                lines: Vec::new(),
                updated_at: OffsetDateTime::now_utc(),
            });
        Ok(CartState {
            store: args.store,
            cart,
        })
    }

    async fn handle(
        &self,
        _myself: ActorRef<CartMsg>,
        msg: CartMsg,
        state: &mut CartState,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            CartMsg::Get { reply } => {
                let _ = reply.send(Ok(state.cart.clone()));
            }
            CartMsg::Change {
                product,
                change,
                available,
                reply,
            } => {
                let mut next = state.cart.clone();
                let result = match apply(&mut next, product, change, available) {
                    Ok(()) => save(state, next).await,
                    Err(e) => Err(e),
                };
                let _ = reply.send(result);
            }
            CartMsg::Clear { reply } => {
                let next = Cart {
                    lines: Vec::new(),
                    ..state.cart.clone()
                };
                let _ = reply.send(save(state, next).await);
            }
            #[cfg(test)]
            CartMsg::Crash => panic!("injected crash"),
        }
        Ok(())
    }
}

/// Writes `next` durably, then makes it the cart.
async fn save(state: &mut CartState, mut next: Cart) -> Result<Cart, CartError> {
    next.updated_at = OffsetDateTime::now_utc();
    state.store.put_cart(&next).await?;
    state.cart = next;
    Ok(state.cart.clone())
}
