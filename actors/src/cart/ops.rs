//! What one message does to a cart, decided without side effects: an answer
//! now, or a new cart to save first.

use souk_models::{Cart, ProductId, Timestamp};

use super::{CartError, LineChange, apply};

/// What a caller asks of one cart (also as it travels to the node hosting
/// the cart).
#[derive(Clone, Copy, serde::Serialize, serde::Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum CartOp {
    Get,
    Change {
        product: ProductId,
        change: LineChange,
        available: u64,
    },
    Clear,
    /// An order was placed from the cart as it was at `read_at` (its
    /// `updated_at`), and the order's write emptied the stored cart.
    Ordered {
        #[serde(with = "time::serde::rfc3339")]
        read_at: Timestamp,
    },
    #[cfg(test)]
    Crash,
}

/// What a message to a loaded, idle cart comes to.
pub(super) enum Decision {
    Answer(Result<Cart, CartError>),
    Save(Cart),
    /// Already durable: take it without saving.
    Replace(Cart),
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
        // Unchanged since the order read it: the stored cart is already
        // empty. Changed since (a line added meanwhile, saved before or after
        // the order): save it empty, as a clear would.
        CartOp::Ordered { read_at } => {
            let empty = Cart {
                lines: Vec::new(),
                ..cart.clone()
            };
            if cart.updated_at == read_at {
                Decision::Replace(empty)
            } else {
                Decision::Save(empty)
            }
        }
        #[cfg(test)]
        CartOp::Crash => panic!("injected crash"),
    }
}
