//! What a buyer pays on top of the lines: each seller's shipping and the
//! marketplace's tax. Computed by the server at checkout and frozen on the
//! order ([`Charges`]); integer minor units throughout, rounded half up.

use serde::{Deserialize, Serialize};

use crate::{CategorySlug, Money};

/// A seller's shipping rates, in the marketplace's currency: a flat amount
/// per order plus an amount per unit, free once the seller's lines on the
/// order reach `free_over`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShippingRates {
    pub per_order: Money,
    pub per_item: Money,
    /// Lines worth at least this ship free; `null`: never free.
    pub free_over: Option<Money>,
}

impl ShippingRates {
    /// What a seller's lines worth `subtotal`, `items` units in all, pay to
    /// ship; `None` if it does not fit in [`Money`].
    pub fn cost(&self, subtotal: Money, items: u32) -> Option<Money> {
        if self
            .free_over
            .is_some_and(|f| subtotal.amount() >= f.amount())
        {
            return Some(Money::zero(subtotal.currency()));
        }
        self.per_item.times(items)?.plus(self.per_order)
    }
}

/// Whether catalog prices include tax (the tax is the part of the price
/// the rate accounts for) or exclude it (the tax is added on top).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaxMode {
    #[default]
    Exclusive,
    Inclusive,
}

/// A tax rate for goods shipped to `country`, for one category or (no
/// category) all the others; in basis points (2000 = 20%).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxRate {
    pub country: String,
    pub category: Option<CategorySlug>,
    pub basis_points: u32,
}

/// The marketplace's tax rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaxTable {
    pub mode: TaxMode,
    pub rates: Vec<TaxRate>,
}

impl TaxTable {
    /// The rate for goods of `category` shipped to `country`: the
    /// category's own rate there, else the country's, else none.
    pub fn rate(&self, country: &str, category: &CategorySlug) -> u32 {
        let of = |want: Option<&CategorySlug>| {
            self.rates
                .iter()
                .find(|r| r.country == country && r.category.as_ref() == want)
                .map(|r| r.basis_points)
        };
        of(Some(category)).or_else(|| of(None)).unwrap_or(0)
    }

    /// The tax in `amount` (minor units) at `basis_points`: on top of it
    /// when prices exclude tax, the part of it that is tax when they
    /// include it. Rounded half up.
    pub fn tax_on(&self, amount: i64, basis_points: u32) -> i64 {
        let (amount, bp) = (i128::from(amount), i128::from(basis_points));
        let divisor = match self.mode {
            TaxMode::Exclusive => 10_000,
            TaxMode::Inclusive => 10_000 + bp,
        };
        let tax = (amount * bp * 2 + divisor) / (divisor * 2);
        i64::try_from(tax).unwrap_or(i64::MAX)
    }
}

/// What an order costs, frozen at checkout: the lines, shipping and tax,
/// and the total charged. With tax-inclusive prices the tax is part of the
/// subtotal and not added again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Charges {
    pub subtotal: Money,
    pub shipping: Money,
    pub tax: Money,
    pub tax_included: bool,
    pub total: Money,
}

impl Charges {
    /// Totals `subtotal`, `shipping` and `tax` under `mode`; `None` if the
    /// total does not fit or currencies differ.
    pub fn new(subtotal: Money, shipping: Money, tax: Money, mode: TaxMode) -> Option<Self> {
        let tax_included = mode == TaxMode::Inclusive;
        let mut total = subtotal.plus(shipping)?;
        if !tax_included {
            total = total.plus(tax)?;
        }
        Some(Self {
            subtotal,
            shipping,
            tax,
            tax_included,
            total,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    fn usd(amount: i64) -> Money {
        Money::new(amount, Currency::USD).expect("a valid amount")
    }

    fn slug(s: &str) -> CategorySlug {
        CategorySlug::parse(s).expect("a valid slug")
    }

    #[test]
    fn shipping_is_flat_plus_per_item_until_the_free_threshold() {
        let rates = ShippingRates {
            per_order: usd(500),
            per_item: usd(100),
            free_over: Some(usd(5000)),
        };
        assert_eq!(rates.cost(usd(2000), 3), Some(usd(800)));
        assert_eq!(
            rates.cost(usd(5000), 3),
            Some(usd(0)),
            "free at the threshold"
        );
    }

    #[test]
    fn a_category_rate_wins_over_its_country_and_other_countries_pay_none() {
        let table = TaxTable {
            mode: TaxMode::Exclusive,
            rates: vec![
                TaxRate {
                    country: "GB".into(),
                    category: None,
                    basis_points: 2000,
                },
                TaxRate {
                    country: "GB".into(),
                    category: Some(slug("books")),
                    basis_points: 0,
                },
            ],
        };
        assert_eq!(table.rate("GB", &slug("kitchen")), 2000);
        assert_eq!(table.rate("GB", &slug("books")), 0);
        assert_eq!(table.rate("FR", &slug("kitchen")), 0);
    }

    #[test]
    fn tax_rounds_half_up_on_top_of_or_inside_the_price() {
        let mut table = TaxTable::default();
        assert_eq!(table.tax_on(2500, 2000), 500);
        assert_eq!(table.tax_on(1, 5000), 1, "half a cent rounds up");
        assert_eq!(table.tax_on(1, 4999), 0);
        table.mode = TaxMode::Inclusive;
        assert_eq!(
            table.tax_on(1200, 2000),
            200,
            "a sixth of a 20%-inclusive price"
        );
        assert_eq!(table.tax_on(1000, 2000), 167);
    }

    #[test]
    fn inclusive_tax_is_not_added_to_the_total() {
        let added = Charges::new(usd(1000), usd(200), usd(200), TaxMode::Exclusive);
        assert_eq!(added.map(|c| c.total), Some(usd(1400)));
        let inside = Charges::new(usd(1000), usd(200), usd(167), TaxMode::Inclusive);
        assert_eq!(inside.map(|c| c.total), Some(usd(1200)));
    }
}
