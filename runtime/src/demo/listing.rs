//! Title and description composition for branded goods: one `Listing` drawn at a time,
//! from the word lists in `super::word_lists`.

use std::collections::{BTreeMap, BTreeSet};

use super::draft::{Draft, MAX_WORDS, word_count};
use super::random::{Rng, price};
use super::template::fill;
use super::word_lists::{Goods, Kind, Prose, Variant, WordLists};

/// Chance that a listing pairs two adjectives ("Wireless Noise-Cancelling").
const TWO_ADJECTIVES: f64 = 0.3;
/// Chance that a listing names its material when its kind has any.
const NAMED_MATERIAL: f64 = 0.7;
/// Chance that a shop sells its own label rather than another brand.
const OWN_LABEL: f64 = 0.35;
const MAX_ATTRIBUTES: usize = 5;

/// One listing of branded goods being drawn, with the names already taken.
pub(super) struct Listing<'a> {
    pub(super) words: &'static WordLists,
    pub(super) slug: &'a str,
    pub(super) goods: &'static Goods,
    pub(super) kind: &'static Kind,
    pub(super) shop: usize,
    /// Brand, adjectives, material and noun of the category's listings so far: no two
    /// listings differ only by colour or size.
    pub(super) stems: &'a mut BTreeSet<String>,
    pub(super) titles: &'a mut BTreeSet<String>,
}

impl Listing<'_> {
    /// One attempt; `None` when the draw clashes or repeats an earlier listing.
    pub(super) fn draw(&mut self, rng: &mut Rng) -> Option<Draft> {
        let (goods, kind) = (self.goods, self.kind);
        let proper = &self.words.prose.proper_adjectives;
        let brand = self.brand(rng)?;
        let first = rng.below(kind.features.len());
        let mut adjectives: Vec<&'static str> = kind
            .features
            .get(first)
            .map(String::as_str)
            .into_iter()
            .collect();
        if rng.chance(TWO_ADJECTIVES) {
            adjectives.extend(kind.features.get(first + 1).map(String::as_str));
        }
        let material = if rng.chance(NAMED_MATERIAL) {
            rng.pick(&kind.materials).map(String::as_str)
        } else {
            None
        };
        let words: Vec<&'static str> = adjectives.iter().copied().chain(material).collect();
        if clash(goods, &words) {
            return None;
        }
        let stem = format!("{brand} {} {}", words.join(" "), kind.noun);
        if self.stems.contains(&stem) {
            return None;
        }
        let variant = kind.variant.as_ref().and_then(|v| {
            let at = rng.below(v.values.len());
            v.values.get(at).map(|value| (v, at, value.as_str()))
        });
        let colour = if kind.coloured {
            rng.pick(&goods.colours).map(String::as_str)
        } else {
            None
        };
        let title = compose_title(
            brand,
            &words,
            &kind.noun,
            variant.map(|(v, _, value)| (v, value)),
            colour,
        );
        if self.titles.contains(&title) {
            return None;
        }

        let mut attributes = BTreeMap::from([("brand".to_owned(), brand.to_owned())]);
        if let Some(colour) = colour {
            attributes.insert("colour".to_owned(), soften(colour, proper));
        }
        if let Some(material) = material {
            attributes.insert("material".to_owned(), soften(material, proper));
        }
        if let Some((v, _, value)) = variant {
            attributes.insert(v.key.clone(), value.to_owned());
        }
        for (key, value) in &kind.facts {
            if attributes.len() >= MAX_ATTRIBUTES {
                break;
            }
            attributes
                .entry(key.clone())
                .or_insert_with(|| value.clone());
        }

        let band = variant
            .filter(|(v, _, _)| v.priced)
            .map(|(v, at, _)| (at, v.values.len()));
        let cents = price(rng, kind.price, band);
        let description = describe(
            &self.words.prose,
            goods,
            kind,
            brand,
            &adjectives,
            material,
            rng,
        );

        self.stems.insert(stem);
        self.titles.insert(title.clone());
        Some(Draft {
            shop: self.shop,
            title,
            description,
            attributes,
            cents,
        })
    }

    /// The shop's own label now and then, where it has one for this category; otherwise
    /// one of the kind's or the department's brands.
    fn brand(&self, rng: &mut Rng) -> Option<&'static str> {
        let label = self
            .words
            .shops
            .get(self.shop)
            .and_then(|shop| shop.label.as_ref())
            .filter(|label| label.categories.iter().any(|c| c == self.slug))
            .map(|label| label.name.as_str());
        if let Some(label) = label
            && rng.chance(OWN_LABEL)
        {
            return Some(label);
        }
        let brands = if self.kind.brands.is_empty() {
            &self.goods.brands
        } else {
            &self.kind.brands
        };
        rng.pick(brands).map(String::as_str)
    }
}

/// Whether two of the words may not share a title ("Vegan Leather").
fn clash(goods: &Goods, words: &[&str]) -> bool {
    goods
        .clashes
        .iter()
        .any(|(a, b)| words.contains(&a.as_str()) && words.contains(&b.as_str()))
}

/// Where a variant's value sits in a title.
enum Place {
    BeforeNoun,
    AfterNoun,
    Last,
}

fn place(template: &str) -> Place {
    if template.starts_with("{}") {
        Place::BeforeNoun
    } else if template.starts_with(' ') {
        Place::AfterNoun
    } else {
        Place::Last
    }
}

/// "Brand Adjectives Material [Variant] Noun [Variant], Colour[, Variant]".
fn compose_title(
    brand: &str,
    words: &[&str],
    noun: &str,
    variant: Option<(&Variant, &str)>,
    colour: Option<&str>,
) -> String {
    let shown = variant.map(|(v, value)| (place(&v.template), v.template.replace("{}", value)));
    let mut title = String::from(brand);
    for word in words {
        title.push(' ');
        title.push_str(word);
    }
    if let Some((Place::BeforeNoun, text)) = &shown {
        title.push(' ');
        title.push_str(text);
    }
    title.push(' ');
    title.push_str(noun);
    if let Some((Place::AfterNoun, text)) = &shown {
        title.push_str(text);
    }
    if let Some(colour) = colour {
        title.push_str(", ");
        title.push_str(colour);
    }
    if let Some((Place::Last, text)) = &shown {
        title.push_str(text);
    }
    title
}

/// An opening line, one sentence per adjective, the kind's detail, then the material or
/// a closing line while there is room for four sentences.
fn describe(
    prose: &Prose,
    goods: &Goods,
    kind: &Kind,
    brand: &str,
    adjectives: &[&str],
    material: Option<&str>,
    rng: &mut Rng,
) -> String {
    let (this, this_cap, is) = if kind.plural {
        ("these", "These", "are")
    } else {
        ("this", "This", "is")
    };
    let qualifiers: Vec<String> = adjectives
        .iter()
        .copied()
        .chain(material)
        .map(|word| soften(word, &prose.proper_adjectives))
        .collect();
    let described = if qualifiers.is_empty() {
        kind.prose.clone()
    } else {
        format!("{} {}", qualifiers.join(" "), kind.prose)
    };
    let values = [
        ("brand", brand),
        ("described", described.as_str()),
        ("use_for", kind.use_for.as_str()),
        ("this", this),
        ("This", this_cap),
        ("is", is),
    ];
    let at = rng.below(prose.openings.len());
    let opening = prose
        .openings
        .get(at)
        .map(|template| one_full_stop(fill(template, &values)));
    let mut sentences: Vec<String> = opening.into_iter().collect();
    sentences.extend(
        adjectives
            .iter()
            .filter_map(|a| goods.features.get(*a).cloned()),
    );
    sentences.push(kind.detail.clone());
    if sentences.len() < 4 {
        let material_line = material
            .filter(|_| rng.chance(0.75))
            .and_then(|m| goods.materials.get(m));
        let last = material_line.or_else(|| rng.pick(&goods.closers));
        sentences.extend(last.cloned());
    }
    while word_count(&sentences) > MAX_WORDS && sentences.len() > 2 {
        sentences.pop();
    }
    sentences.join(" ")
}

/// Drops the second full stop of a sentence that ends in a name that has one: "… from
/// Cairn & Co.".
fn one_full_stop(mut sentence: String) -> String {
    if sentence.ends_with("..") {
        sentence.pop();
    }
    sentence
}

/// Lower-cases title words for running text, keeping acronyms ("4K", "STEM", "EVA") and
/// the `proper` adjectives.
pub(super) fn soften(text: &str, proper: &[String]) -> String {
    text.split(' ')
        .map(|word| {
            let capitalised = word.chars().nth(1).is_some_and(char::is_lowercase);
            if capitalised && !proper.iter().any(|p| p == word) {
                word.to_lowercase()
            } else {
                word.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
