//! What the index knows about each product besides its vector, and the filters
//! a search can apply to it.

use uuid::Uuid;

/// The facts about an indexed product that search filters look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemMeta {
    /// Category slug, e.g. `coffee-tea`.
    pub category: String,
    /// Price in minor units of `currency` (cents for USD).
    pub price_minor: i64,
    /// ISO 4217 code of the price, e.g. `USD`.
    pub currency: String,
    /// Whether any stock is available.
    pub in_stock: bool,
    /// The selling account.
    pub seller: Uuid,
}

/// Conditions an item must meet to be returned by a search. The default
/// filter matches everything; every field that is set must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only this category slug.
    pub category: Option<String>,
    /// Price at least this many minor units.
    pub min_price: Option<i64>,
    /// Price at most this many minor units.
    pub max_price: Option<i64>,
    /// Only prices in this currency (ISO code, case-insensitive). When unset,
    /// price bounds compare minor units whatever the currency.
    pub currency: Option<String>,
    /// When true, only items in stock.
    pub in_stock: bool,
    /// Only this seller.
    pub seller: Option<Uuid>,
}

impl Filter {
    /// True when the filter sets no condition, so every item matches.
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    /// Whether `meta` meets every condition of the filter.
    pub fn matches(&self, meta: &ItemMeta) -> bool {
        self.category.as_ref().is_none_or(|c| *c == meta.category)
            && self.min_price.is_none_or(|min| meta.price_minor >= min)
            && self.max_price.is_none_or(|max| meta.price_minor <= max)
            && self
                .currency
                .as_ref()
                .is_none_or(|c| c.eq_ignore_ascii_case(&meta.currency))
            && (!self.in_stock || meta.in_stock)
            && self.seller.is_none_or(|s| s == meta.seller)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> ItemMeta {
        ItemMeta {
            category: "coffee-tea".to_owned(),
            price_minor: 2500,
            currency: "USD".to_owned(),
            in_stock: false,
            seller: Uuid::nil(),
        }
    }

    #[test]
    fn each_condition_is_checked() {
        let m = meta();
        assert!(Filter::default().is_empty());
        assert!(Filter::default().matches(&m));
        let cases = [
            (
                Filter {
                    category: Some("coffee-tea".into()),
                    ..Filter::default()
                },
                true,
            ),
            (
                Filter {
                    category: Some("toys".into()),
                    ..Filter::default()
                },
                false,
            ),
            (
                Filter {
                    min_price: Some(2500),
                    ..Filter::default()
                },
                true,
            ),
            (
                Filter {
                    min_price: Some(2501),
                    ..Filter::default()
                },
                false,
            ),
            (
                Filter {
                    max_price: Some(2500),
                    ..Filter::default()
                },
                true,
            ),
            (
                Filter {
                    max_price: Some(2499),
                    ..Filter::default()
                },
                false,
            ),
            (
                Filter {
                    currency: Some("usd".into()),
                    ..Filter::default()
                },
                true,
            ),
            (
                Filter {
                    currency: Some("EUR".into()),
                    ..Filter::default()
                },
                false,
            ),
            (
                Filter {
                    in_stock: true,
                    ..Filter::default()
                },
                false,
            ),
            (
                Filter {
                    seller: Some(Uuid::nil()),
                    ..Filter::default()
                },
                true,
            ),
            (
                Filter {
                    seller: Some(Uuid::max()),
                    ..Filter::default()
                },
                false,
            ),
        ];
        for (filter, expected) in cases {
            assert!(!filter.is_empty());
            assert_eq!(filter.matches(&m), expected, "{filter:?}");
        }
    }
}
