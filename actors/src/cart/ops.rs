//! What one message does to a cart, decided without side effects: an answer
//! now, or a new cart to save first.

use souk_models::{Cart, ProductId};

use super::{CartError, LineChange, apply};

/// What a caller asks of one cart.
#[derive(Clone, Copy)]
pub(crate) enum CartOp {
    Get,
    Change {
        product: ProductId,
        change: LineChange,
        available: u64,
    },
    Clear,
    #[cfg(test)]
    Crash,
}

/// What a message to a loaded, idle cart comes to.
pub(super) enum Decision {
    Answer(Result<Cart, CartError>),
    Save(Cart),
}

pub(super) fn decide(cart: &Cart, op: CartOp) -> Decision {
    match op {
        CartOp::Get => Decision::Answer(Ok(cart.clone())),
        CartOp::Change {
            product,
            change,
            available,
        } => {
            let mut next = cart.clone();
            match apply(&mut next, product, change, available) {
                Ok(()) => Decision::Save(next),
                Err(e) => Decision::Answer(Err(e)),
            }
        }
        CartOp::Clear => Decision::Save(Cart {
            lines: Vec::new(),
            ..cart.clone()
        }),
        #[cfg(test)]
        CartOp::Crash => panic!("injected crash"),
    }
}
