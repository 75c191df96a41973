//! Reading a shopper's message: structured constraints for the index filter,
//! the text left over for semantic search, and follow-ups that refer to
//! results already shown.
//!
//! [`parse`] is pure and rule based. It looks, in this order, for price
//! phrases, stock and "cheap" wishes, a category and attribute values; each
//! phrase it understands is cut out of the text, and what is left becomes
//! [`Constraints::remaining_text`]. Price bounds are inclusive minor units of
//! the stated currency (or of the vocabulary's default currency when none is
//! stated). Understood price phrasings:
//!
//! - upper bounds: "under 50 dollars", "below £20", "less than 30 euros", "at
//!   most 45", "max 60 usd", "up to $80", "no more than 25", "budget of $40",
//!   "$30 or less", "$30 max";
//! - lower bounds: "over 100", "more than $15", "at least 10 EUR", "from $20",
//!   "$50 or more", "$50+";
//! - ranges: "between $20 and $40", "from 20 to 40 dollars", "$20-$40",
//!   "20-40 euros" (a bare "20-40" needs a currency: it may be a size);
//! - "around $50" / "about 50 euros": 80 %–120 % of the amount.
//!
//! A number followed by a unit ("under 5 kg") or after an age word ("toys for
//! kids under 5") is not a price unless it carries a currency.

mod amount;
mod cart;
mod flags;
mod followup;
mod price;
mod terms;
mod tokens;
mod vocabulary;

use crate::index::Filter;

pub use cart::{CartIntent, Pick};
pub use followup::{FollowUp, Refinement, parse_follow_up};
pub use vocabulary::{VocabError, Vocabulary};

/// What a message asks for, beyond its free text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Constraints {
    /// Lowest acceptable price in minor units, inclusive.
    pub min_price: Option<i64>,
    /// Highest acceptable price in minor units, inclusive.
    pub max_price: Option<i64>,
    /// ISO code of the currency the shopper named, if any.
    pub currency: Option<String>,
    /// The shopper asked for something cheap ("cheap", "budget", "affordable").
    pub cheap: bool,
    /// Only items in stock ("in stock", "available now").
    pub in_stock: bool,
    /// Slug of the category named, if any (the first one).
    pub category: Option<String>,
    /// Attribute values named, as `(attribute, value)` in vocabulary spelling.
    /// Several values of one attribute ("red or blue") mean any of them.
    pub attributes: Vec<(String, String)>,
    /// The message without the phrases above, for the semantic query.
    pub remaining_text: String,
}

impl Constraints {
    /// True when nothing but free text was found.
    pub fn is_unconstrained(&self) -> bool {
        Constraints {
            remaining_text: self.remaining_text.clone(),
            ..Constraints::default()
        } == *self
    }

    /// The index filter for the hard constraints (category, price, currency,
    /// stock). Attributes and `cheap` are left to the caller's ranking.
    pub fn to_filter(&self) -> Filter {
        Filter {
            category: self.category.clone(),
            min_price: self.min_price,
            max_price: self.max_price,
            currency: self.currency.clone(),
            in_stock: self.in_stock,
            seller: None,
        }
    }
}

/// Extracts the constraints of `message` using the catalog terms of `vocab`.
pub fn parse(message: &str, vocab: &Vocabulary) -> Constraints {
    take_constraints(&mut tokens::Tokens::new(message), vocab)
}

/// [`parse`] over tokens some of which may already be used.
fn take_constraints(tokens: &mut tokens::Tokens<'_>, vocab: &Vocabulary) -> Constraints {
    let prices = price::take_prices(tokens, vocab);
    let in_stock = flags::take_in_stock(tokens);
    let cheap = flags::take_cheap(tokens);
    let category = terms::take_category(tokens, vocab);
    let attributes = terms::take_attributes(tokens, vocab);
    Constraints {
        min_price: prices.min,
        max_price: prices.max,
        currency: prices.currency,
        cheap,
        in_stock,
        category,
        attributes,
        remaining_text: tokens.remaining(),
    }
}
