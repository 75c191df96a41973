//! Follow-ups that refer to results already shown: "cheaper ones", "only
//! red", "add the second one to my cart" (cart requests are read by
//! [`super::cart`]).
//!
//! A message is a refinement when, after the constraint phrases and words
//! such as "only", "just", "show me", "the ones" are taken out, nothing is
//! left; otherwise it is a new query.

use super::cart::{CartIntent, cart_intent};
use super::tokens::{Kind, Tokens};
use super::{Constraints, Vocabulary, take_constraints};

/// One way to narrow or re-rank the previous results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refinement {
    /// Cheaper than what was shown.
    Cheaper,
    /// More expensive than what was shown.
    Pricier,
    /// Only items in stock.
    InStock,
    /// Only this category (slug).
    Category(String),
    /// Only this attribute value.
    Attribute {
        /// Attribute name, e.g. `colour`.
        name: String,
        /// Value in vocabulary spelling, e.g. `red`.
        value: String,
    },
    /// Only prices within these inclusive bounds (minor units).
    Price {
        /// Lower bound.
        min: Option<i64>,
        /// Upper bound.
        max: Option<i64>,
        /// Currency named, if any.
        currency: Option<String>,
    },
}

/// What a message in an ongoing conversation does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowUp {
    /// Put shown items into the cart.
    AddToCart(CartIntent),
    /// Narrow or re-rank the shown results; nothing else was said.
    Refine(Vec<Refinement>),
    /// Anything else: a fresh search with these constraints.
    NewQuery(Constraints),
}

const PRICIER: &[&[&str]] = &[
    &["more", "expensive"],
    &["higher", "end"],
    &["high", "end"],
    &["more", "upscale"],
    &["pricier"],
    &["premium"],
    &["fancier"],
];
const CHEAPER: &[&[&str]] = &[
    &["less", "expensive"],
    &["lower", "priced"],
    &["lower", "price"],
    &["lower", "prices"],
];
/// Words that carry no request of their own in a refinement.
const FILLER: &[&str] = &[
    "only",
    "just",
    "show",
    "me",
    "the",
    "those",
    "these",
    "them",
    "ones",
    "one",
    "which",
    "that",
    "are",
    "is",
    "any",
    "anything",
    "something",
    "some",
    "i",
    "want",
    "need",
    "please",
    "can",
    "you",
    "could",
    "would",
    "like",
    "do",
    "have",
    "got",
    "in",
    "with",
    "a",
    "an",
    "of",
    "more",
    "but",
    "and",
    "options",
    "instead",
    "what",
    "about",
    "how",
    "there",
    "now",
    "ok",
    "okay",
    "maybe",
    "what's",
    "i'd",
    "see",
    "let's",
    "prefer",
    "rather",
];

/// Reads a message that may refer to the results shown before it.
pub fn parse_follow_up(message: &str, vocab: &Vocabulary) -> FollowUp {
    let mut tokens = Tokens::new(message);
    if let Some(intent) = cart_intent(&tokens) {
        return FollowUp::AddToCart(intent);
    }
    let mut refinements = Vec::new();
    if take_phrases(&mut tokens, PRICIER) {
        refinements.push(Refinement::Pricier);
    }
    let cheaper = take_phrases(&mut tokens, CHEAPER);
    let constraints = take_constraints(&mut tokens, vocab);
    if cheaper || constraints.cheap {
        refinements.push(Refinement::Cheaper);
    }
    if constraints.min_price.is_some() || constraints.max_price.is_some() {
        refinements.push(Refinement::Price {
            min: constraints.min_price,
            max: constraints.max_price,
            currency: constraints.currency.clone(),
        });
    }
    if constraints.in_stock {
        refinements.push(Refinement::InStock);
    }
    if let Some(slug) = &constraints.category {
        refinements.push(Refinement::Category(slug.clone()));
    }
    for (name, value) in &constraints.attributes {
        refinements.push(Refinement::Attribute {
            name: name.clone(),
            value: value.clone(),
        });
    }
    let only_filler = (0..tokens.len()).all(|i| {
        tokens
            .free(i)
            .is_none_or(|t| t.kind == Kind::Punct || t.is_any(FILLER))
    });
    if !refinements.is_empty() && only_filler {
        FollowUp::Refine(refinements)
    } else {
        FollowUp::NewQuery(constraints)
    }
}

fn take_phrases(tokens: &mut Tokens<'_>, phrases: &[&[&str]]) -> bool {
    let mut found = false;
    for i in 0..tokens.len() {
        if let Some(end) = tokens.any_phrase_at(i, phrases) {
            tokens.consume(i..end);
            found = true;
        }
    }
    found
}
