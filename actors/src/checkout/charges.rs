//! What a checkout charges: the lines at catalog prices, each seller's
//! shipping for their lines, and the tax on each line for its destination
//! and category, frozen on the order.

use std::collections::BTreeMap;

use souk_models::{CartLine, CategorySlug, Charges, Money, OrderLine, TaxTable, UserId};

use crate::catalog::ProductEntry;

use crate::store::Store;

/// Why a checkout cannot be charged.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Uncharged {
    /// A seller's rates could not be read now.
    Unavailable,
    /// The sums leave what [`Money`] holds (or a seller's rates are in
    /// another currency than the catalog's).
    TooLarge,
}

/// A cart line as an order line at `entry`'s price, and its category.
pub(crate) fn order_line(line: &CartLine, entry: &ProductEntry) -> (OrderLine, CategorySlug) {
    let product = &entry.product;
    let ordered = OrderLine {
        product_id: line.product_id,
        seller_id: product.seller_id,
        title: product.title.clone(),
        unit_price: product.price,
        quantity: line.quantity,
        tax: None,
    };
    (ordered, product.category.clone())
}

/// Prices `lines` (each of the category beside it) shipped to `country`:
/// sets each line's tax and returns the order's charges.
pub(crate) async fn charge(
    store: &dyn Store,
    taxes: &TaxTable,
    lines: &mut [OrderLine],
    categories: &[CategorySlug],
    country: &str,
) -> Result<Charges, Uncharged> {
    let currency = match lines.first() {
        Some(line) => line.unit_price.currency(),
        None => return Err(Uncharged::TooLarge),
    };
    let zero = Money::zero(currency);
    let (mut subtotal, mut tax) = (zero, zero);
    let mut by_seller: BTreeMap<UserId, (Money, u32)> = BTreeMap::new();
    for (line, category) in lines.iter_mut().zip(categories) {
        let amount = line
            .unit_price
            .times(line.quantity.get())
            .ok_or(Uncharged::TooLarge)?;
        let rate = taxes.rate(country, category);
        let line_tax = Money::new(taxes.tax_on(amount.amount(), rate), currency)
            .map_err(|_| Uncharged::TooLarge)?;
        line.tax = Some(line_tax);
        subtotal = subtotal.plus(amount).ok_or(Uncharged::TooLarge)?;
        tax = tax.plus(line_tax).ok_or(Uncharged::TooLarge)?;
        let seller = by_seller.entry(line.seller_id).or_insert((zero, 0));
        seller.0 = seller.0.plus(amount).ok_or(Uncharged::TooLarge)?;
        seller.1 += line.quantity.get();
    }
    let mut shipping = zero;
    for (seller, (worth, items)) in by_seller {
        let user = store.get_user(seller).await.map_err(|e| {
            tracing::warn!(%seller, error = %e, "a seller's shipping rates could not be read");
            Uncharged::Unavailable
        })?;
        let Some(rates) = user.and_then(|u| u.shipping) else {
            continue; // No rates: ships free.
        };
        let cost = rates.cost(worth, items).ok_or(Uncharged::TooLarge)?;
        shipping = shipping.plus(cost).ok_or(Uncharged::TooLarge)?;
    }
    Charges::new(subtotal, shipping, tax, taxes.mode).ok_or(Uncharged::TooLarge)
}
