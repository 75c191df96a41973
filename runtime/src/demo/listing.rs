//! Title and description composition for branded goods: one `Listing` drawn at a time,
//! from the word lists in `super::vocabulary`.

use std::collections::{BTreeMap, BTreeSet};

use super::catalog::Draft;
use super::random::{Rng, price};
use super::vocabulary::{Goods, Kind, SHOPS, Variant};

/// Chance that a listing pairs two adjectives ("Wireless Noise-Cancelling").
const TWO_ADJECTIVES: f64 = 0.3;
/// Chance that a listing names its material when its kind has any.
const NAMED_MATERIAL: f64 = 0.7;
/// Chance that a shop sells its own label rather than another brand.
const OWN_LABEL: f64 = 0.35;
const MAX_ATTRIBUTES: usize = 5;
pub(super) const MAX_WORDS: usize = 90;
/// Adjectives that keep their capital in running text.
const PROPER: &[&str] = &[
    "Scandinavian",
    "European",
    "Japanese",
    "Colombian",
    "Ethiopian",
];

/// One listing of branded goods being drawn, with the names already taken.
pub(super) struct Listing<'a> {
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
        let brand = self.brand(rng)?;
        let first = rng.below(kind.features.len());
        let mut adjectives: Vec<&'static str> =
            kind.features.get(first).copied().into_iter().collect();
        if rng.chance(TWO_ADJECTIVES) {
            adjectives.extend(kind.features.get(first + 1).copied());
        }
        let material = if rng.chance(NAMED_MATERIAL) {
            rng.pick(kind.materials).copied()
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
            v.values.get(at).map(|value| (v, at, *value))
        });
        let colour = if kind.coloured {
            rng.pick(goods.colours).copied()
        } else {
            None
        };
        let title = compose_title(
            brand,
            &words,
            kind.noun,
            variant.map(|(v, _, value)| (v, value)),
            colour,
        );
        if self.titles.contains(&title) {
            return None;
        }

        let mut attributes = BTreeMap::from([("brand".to_owned(), brand.to_owned())]);
        if let Some(colour) = colour {
            attributes.insert("colour".to_owned(), soften(colour));
        }
        if let Some(material) = material {
            attributes.insert("material".to_owned(), soften(material));
        }
        if let Some((v, _, value)) = variant {
            attributes.insert(v.key.to_owned(), value.to_owned());
        }
        for (key, value) in kind.facts {
            if attributes.len() >= MAX_ATTRIBUTES {
                break;
            }
            attributes
                .entry((*key).to_owned())
                .or_insert_with(|| (*value).to_owned());
        }

        let band = variant
            .filter(|(v, _, _)| v.priced)
            .map(|(v, at, _)| (at, v.values.len()));
        let cents = price(rng, kind.price, band);
        let description = describe(goods, kind, brand, &adjectives, material, rng);

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
        let label = SHOPS
            .get(self.shop)
            .and_then(|shop| shop.label)
            .filter(|(_, categories)| categories.contains(&self.slug))
            .map(|(label, _)| label);
        if let Some(label) = label
            && rng.chance(OWN_LABEL)
        {
            return Some(label);
        }
        let brands = if self.kind.brands.is_empty() {
            self.goods.brands
        } else {
            self.kind.brands
        };
        rng.pick(brands).copied()
    }
}

/// Whether two of the words may not share a title ("Vegan Leather").
fn clash(goods: &Goods, words: &[&str]) -> bool {
    goods
        .clashes
        .iter()
        .any(|(a, b)| words.contains(a) && words.contains(b))
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
    let shown = variant.map(|(v, value)| (place(v.template), v.template.replace("{}", value)));
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
    goods: &Goods,
    kind: &Kind,
    brand: &str,
    adjectives: &[&str],
    material: Option<&str>,
    rng: &mut Rng,
) -> String {
    let (this, these_cap, is) = if kind.plural {
        ("these", "These", "are")
    } else {
        ("this", "This", "is")
    };
    let qualifiers: Vec<String> = adjectives
        .iter()
        .copied()
        .chain(material)
        .map(soften)
        .collect();
    let described = if qualifiers.is_empty() {
        kind.prose.to_owned()
    } else {
        format!("{} {}", qualifiers.join(" "), kind.prose)
    };
    let use_for = kind.use_for;
    let opening = match rng.below(4) {
        0 => format!("{these_cap} {described} from {brand} {is} made for {use_for}."),
        1 => format!("{brand} designed {this} {described} for {use_for}."),
        2 => full_stop(format!(
            "For {use_for}, reach for the {described} from {brand}"
        )),
        _ => format!(
            "Whether as a gift or a treat for yourself, the {brand} {described} {is} ready for {use_for}."
        ),
    };
    let mut sentences = vec![opening];
    sentences.extend(
        adjectives
            .iter()
            .filter_map(|a| lookup(goods.features, a))
            .map(str::to_owned),
    );
    sentences.push(kind.detail.to_owned());
    if sentences.len() < 4 {
        let material_line = material
            .filter(|_| rng.chance(0.75))
            .and_then(|m| lookup(goods.materials, m));
        let last = material_line.or_else(|| rng.pick(goods.closers).copied());
        sentences.extend(last.map(str::to_owned));
    }
    while word_count(&sentences) > MAX_WORDS && sentences.len() > 2 {
        sentences.pop();
    }
    sentences.join(" ")
}

pub(super) fn lookup(table: &[(&str, &'static str)], key: &str) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

pub(super) fn word_count(sentences: &[String]) -> usize {
    sentences.iter().map(|s| s.split_whitespace().count()).sum()
}

/// Ends a sentence with a full stop unless it already has one ("Cairn & Co.").
fn full_stop(mut sentence: String) -> String {
    if !sentence.ends_with('.') {
        sentence.push('.');
    }
    sentence
}

/// Lower-cases title words for running text, keeping acronyms ("4K", "STEM", "EVA") and
/// proper adjectives.
pub(super) fn soften(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            let capitalised = word.chars().nth(1).is_some_and(char::is_lowercase);
            if capitalised && !PROPER.contains(&word) {
                word.to_lowercase()
            } else {
                word.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
