//! Carts: one actor per shopper owning the cart's lines, hosted as entities by a
//! fixed set of `CartHost`s (see `host`). Prices are never stored here; the
//! gateway prices a cart from the catalog on every read.

mod handle;
mod host;
mod ops;
#[cfg(test)]
mod tests;

use souk_models::{Cart, ProductId};

use crate::store::StoreError;
pub use handle::{CartCall, CartHandle};
pub use ops::CartOp;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum CartError {
    #[error("at most {max} units of one product per cart")]
    TooManyUnits { max: u32 },
    #[error("only {available} of product {product} available")]
    InsufficientStock { product: ProductId, available: u64 },
    #[error("a cart holds at most {max} different products")]
    TooManyLines { max: usize },
    #[error("product {0} is not in the cart")]
    NotInCart(ProductId),
    #[error("cart unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a caller wants done to one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LineChange {
    /// Add units to the line (creating it).
    Add(u32),
    /// Set the line to exactly this many units; 0 removes it.
    Set(u32),
    Remove,
}

/// Applies `change` to `cart` given the units `available` now. Pure, so the rule
/// is tested without actors.
pub(crate) fn apply(
    cart: &mut Cart,
    product: ProductId,
    change: LineChange,
    available: u64,
) -> Result<(), CartError> {
    use souk_models::{CartLine, Quantity};
    let at = cart.lines.iter().position(|l| l.product_id == product);
    let current = at.map_or(0, |i| cart.lines[i].quantity.get());
    let wanted = match change {
        LineChange::Add(n) => current.saturating_add(n),
        LineChange::Set(n) => n,
        LineChange::Remove => {
            let i = at.ok_or(CartError::NotInCart(product))?;
            cart.lines.remove(i);
            return Ok(());
        }
    };
    if wanted == 0 {
        if let Some(i) = at {
            cart.lines.remove(i);
        }
        return Ok(());
    }
    let quantity = Quantity::new(i64::from(wanted))
        .map_err(|_| CartError::TooManyUnits { max: Quantity::MAX })?;
    // Only growing a line is checked against stock: lowering it is always allowed.
    if wanted > current && u64::from(wanted) > available {
        return Err(CartError::InsufficientStock { product, available });
    }
    match at {
        Some(i) => cart.lines[i].quantity = quantity,
        None if cart.lines.len() >= Cart::MAX_LINES => {
            return Err(CartError::TooManyLines {
                max: Cart::MAX_LINES,
            });
        }
        None => cart.lines.push(CartLine {
            product_id: product,
            quantity,
        }),
    }
    Ok(())
}
