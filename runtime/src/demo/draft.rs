//! A listing as the goods and book composers draft it, before the catalog checks it and
//! gives it stock and a rating; and the limits every draft keeps.

use std::collections::BTreeMap;

/// Listings generated for every category.
pub(super) const PER_CATEGORY: usize = 36;
/// The longest description, in words.
pub(super) const MAX_WORDS: usize = 90;

/// A listing before validation, stock and rating.
pub(super) struct Draft {
    /// Index of the seller in the word lists' shops.
    pub(super) shop: usize,
    pub(super) title: String,
    pub(super) description: String,
    pub(super) attributes: BTreeMap<String, String>,
    pub(super) cents: i64,
}

/// Words in a description's sentences.
pub(super) fn word_count(sentences: &[String]) -> usize {
    sentences.iter().map(|s| s.split_whitespace().count()).sum()
}
