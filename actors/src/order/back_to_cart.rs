//! An order that ends unpaid (expired, or cancelled before payment) puts its
//! lines back in its buyer's cart, each up to the stock available then, so
//! the buyer can try again. Best effort: the order has ended either way, and
//! a line that cannot go back (sold out, the cart full) is left out.

use std::sync::{Arc, OnceLock};

use crate::cart::{CartHandle, LineChange};

use super::actor::OrderState;

/// The carts lines go back to, once set (shared by every order actor).
pub(crate) type Carts = Arc<OnceLock<CartHandle>>;

pub(super) async fn lines_back(state: &OrderState) {
    let Some(carts) = state.services.carts.get() else {
        return;
    };
    let order = &state.order;
    for line in &order.lines {
        let product = line.product_id;
        let available = match state.services.inventory.level(product).await {
            Ok(level) => level.available(),
            Err(e) => {
                tracing::warn!(order = %order.id, %product, error = %e, "a line did not go back to the cart");
                continue;
            }
        };
        let units = u64::from(line.quantity.get()).min(available);
        let Ok(units @ 1..) = u32::try_from(units) else {
            continue;
        };
        let change = LineChange::Add(units);
        if let Err(e) = carts
            .change(order.buyer_id, product, change, available)
            .await
        {
            tracing::info!(order = %order.id, %product, error = %e, "a line did not go back to the cart");
        }
    }
}
