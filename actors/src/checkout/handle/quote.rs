//! What a checkout would charge now, for a cart shown before checking out.

use souk_models::{Cart, Charges, ProductStatus};

use super::CheckoutHandle;
use crate::checkout::CheckoutError;
use crate::checkout::charges::{Uncharged, charge, order_line};

impl CheckoutHandle {
    /// What checking out `cart` to `country` would charge now: its lines
    /// that can be bought as they stand, at catalog prices, with their
    /// sellers' shipping and the tax. `None` when no line can be bought.
    pub async fn quote(
        &self,
        cart: &Cart,
        country: &str,
    ) -> Result<Option<Charges>, CheckoutError> {
        let pipeline = &self.pipeline;
        let mut lines = Vec::with_capacity(cart.lines.len());
        let mut categories = Vec::with_capacity(cart.lines.len());
        for line in &cart.lines {
            let Some(entry) = pipeline.catalog.get_any(line.product_id) else {
                continue;
            };
            let buyable = entry.product.status == ProductStatus::Active
                && entry.stock.available() >= u64::from(line.quantity.get());
            if !buyable {
                continue;
            }
            let (ordered, category) = order_line(line, &entry);
            lines.push(ordered);
            categories.push(category);
        }
        if lines.is_empty() {
            return Ok(None);
        }
        let store = pipeline.store.as_ref();
        match charge(store, &pipeline.taxes, &mut lines, &categories, country).await {
            Ok(charges) => Ok(Some(charges)),
            Err(Uncharged::TooLarge) => Ok(None),
            Err(Uncharged::Unavailable) => Err(CheckoutError::Unavailable(
                "sellers' shipping rates cannot be read now".to_owned(),
            )),
        }
    }
}
