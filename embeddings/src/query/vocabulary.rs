//! The words the parser knows about the catalog: category slugs with their
//! display names, and attribute values by attribute name. The caller builds it
//! from the live catalog.

use souk_models::Currency;
use thiserror::Error;

use super::tokens::{Kind, Tokens};

/// Why a vocabulary entry was refused.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum VocabError {
    /// A slug, name or value had no letters or digits.
    #[error("{0} must contain at least one letter or digit")]
    Empty(&'static str),
    /// An alias was added for a category that was never added.
    #[error("unknown category `{0}`")]
    UnknownCategory(String),
}

/// One known category and the phrases that name it (lower-cased words).
#[derive(Debug, Clone)]
pub(crate) struct CategoryWords {
    pub(crate) slug: String,
    pub(crate) phrases: Vec<Vec<String>>,
}

/// One attribute value and how it is written (lower-cased words).
#[derive(Debug, Clone)]
pub(crate) struct AttributeValue {
    pub(crate) name: String,
    pub(crate) value: String,
    pub(crate) words: Vec<String>,
}

/// Known categories and attribute values, plus the currency assumed for
/// amounts written without one.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    pub(crate) categories: Vec<CategoryWords>,
    pub(crate) attributes: Vec<AttributeValue>,
    pub(crate) default_currency: Currency,
}

impl Default for Vocabulary {
    fn default() -> Self {
        Self::new()
    }
}

impl Vocabulary {
    /// An empty vocabulary; amounts without a currency are read as USD.
    pub fn new() -> Self {
        Self {
            categories: Vec::new(),
            attributes: Vec::new(),
            default_currency: Currency::USD,
        }
    }

    /// Sets the currency whose minor unit bare amounts ("under 50") use.
    pub fn with_default_currency(mut self, currency: Currency) -> Self {
        self.default_currency = currency;
        self
    }

    /// Adds a category. It is recognised by its whole display name ("Coffee &
    /// Tea", "coffee and tea"), its slug words ("coffee-tea"), and each part of a
    /// name joined by `&`, "and" or commas ("coffee", "tea"), singular or plural.
    pub fn add_category(&mut self, slug: &str, display_name: &str) -> Result<(), VocabError> {
        let slug_words = words(slug);
        if slug_words.is_empty() {
            return Err(VocabError::Empty("category slug"));
        }
        let mut phrases = vec![slug_words];
        let name_words = words(display_name);
        if !name_words.is_empty() {
            phrases.push(name_words.clone());
            let with_and: Vec<String> = name_words
                .iter()
                .map(|w| {
                    if w == "&" {
                        "and".to_owned()
                    } else {
                        w.clone()
                    }
                })
                .collect();
            phrases.push(with_and);
            let parts = name_words.split(|w| w == "&" || w == "and" || w == ",");
            if parts.clone().count() > 1 {
                phrases.extend(parts.filter(|p| !p.is_empty()).map(<[String]>::to_vec));
            }
        }
        let entry = self.category_entry(slug);
        entry.phrases.extend(phrases);
        entry.phrases.sort_by_key(|p| std::cmp::Reverse(p.len()));
        entry.phrases.dedup();
        Ok(())
    }

    /// Adds another phrase for an existing category (e.g. "mug" for `kitchen`).
    pub fn add_category_alias(&mut self, slug: &str, alias: &str) -> Result<(), VocabError> {
        let alias_words = words(alias);
        if alias_words.is_empty() {
            return Err(VocabError::Empty("category alias"));
        }
        let entry = self
            .categories
            .iter_mut()
            .find(|c| c.slug == slug)
            .ok_or_else(|| VocabError::UnknownCategory(slug.to_owned()))?;
        entry.phrases.push(alias_words);
        entry.phrases.sort_by_key(|p| std::cmp::Reverse(p.len()));
        Ok(())
    }

    /// Adds known values of attribute `name` (e.g. `colour`: red, navy blue).
    /// Values are reported back exactly as given here.
    pub fn add_attribute_values<I, S>(&mut self, name: &str, values: I) -> Result<(), VocabError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let name = name.trim().to_lowercase();
        if words(&name).is_empty() {
            return Err(VocabError::Empty("attribute name"));
        }
        for value in values {
            let value = value.as_ref().trim();
            let value_words = words(value);
            if value_words.is_empty() {
                return Err(VocabError::Empty("attribute value"));
            }
            let duplicate = self
                .attributes
                .iter()
                .any(|a| a.name == name && a.words == value_words);
            if !duplicate {
                self.attributes.push(AttributeValue {
                    name: name.clone(),
                    value: value.to_owned(),
                    words: value_words,
                });
            }
        }
        self.attributes
            .sort_by_key(|a| std::cmp::Reverse(a.words.len()));
        Ok(())
    }

    /// The slugs of the known categories.
    pub fn category_slugs(&self) -> impl Iterator<Item = &str> {
        self.categories.iter().map(|c| c.slug.as_str())
    }

    fn category_entry(&mut self, slug: &str) -> &mut CategoryWords {
        let position = match self.categories.iter().position(|c| c.slug == slug) {
            Some(p) => p,
            None => {
                self.categories.push(CategoryWords {
                    slug: slug.to_owned(),
                    phrases: Vec::new(),
                });
                self.categories.len() - 1
            }
        };
        &mut self.categories[position]
    }
}

/// The lower-cased words of `text`, keeping `&` and `,` (hyphens dropped).
fn words(text: &str) -> Vec<String> {
    Tokens::new(text)
        .list
        .into_iter()
        .filter(|t| t.kind != Kind::Punct || t.text == "&" || t.text == ",")
        .map(|t| t.text)
        .collect()
}

/// Whether two lower-cased words are the same up to a plural ending.
pub(crate) fn same_word(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.len() < 3 {
        return false;
    }
    let plural_of = |stem: &str, suffix: &str| long.strip_suffix(suffix) == Some(stem);
    plural_of(short, "s")
        || plural_of(short, "es")
        || short
            .strip_suffix('y')
            .is_some_and(|stem| plural_of(stem, "ies"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn category_phrases_cover_name_slug_and_parts() {
        let mut v = Vocabulary::new();
        v.add_category("coffee-tea", "Coffee & Tea").unwrap();
        let phrases = &v.categories[0].phrases;
        for expected in [
            vec!["coffee", "&", "tea"],
            vec!["coffee", "and", "tea"],
            vec!["coffee", "tea"],
            vec!["coffee"],
            vec!["tea"],
        ] {
            assert!(phrases.contains(&expected.iter().map(|s| s.to_string()).collect()));
        }
        assert_eq!(
            v.add_category("--", "x"),
            Err(VocabError::Empty("category slug"))
        );
        assert!(v.add_category_alias("nope", "x").is_err());
    }

    #[test]
    fn plural_forms_match() {
        for (a, b) in [
            ("book", "books"),
            ("box", "boxes"),
            ("battery", "batteries"),
        ] {
            assert!(same_word(a, b) && same_word(b, a), "{a} {b}");
        }
        assert!(!same_word("is", "iss"));
        assert!(!same_word("tea", "team"));
    }
}
