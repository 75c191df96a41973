//! The demo's word lists: shops, departments, the words of each department's goods, the
//! books and how a listing reads. They are data, in the TOML files under `data/`,
//! compiled in and parsed once; a file that does not parse is an error, never a panic.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::template;

const SHOPS: &str = include_str!("data/shops.toml");
const DEPARTMENTS: &str = include_str!("data/departments.toml");
const BOOKS: &str = include_str!("data/books.toml");
const PROSE: &str = include_str!("data/prose.toml");
/// The words of every department of goods, by slug.
const GOODS: &[(&str, &str)] = &[
    ("footwear", include_str!("data/goods/footwear.toml")),
    ("outdoor-gear", include_str!("data/goods/outdoor-gear.toml")),
    ("kitchen", include_str!("data/goods/kitchen.toml")),
    ("coffee-tea", include_str!("data/goods/coffee-tea.toml")),
    ("electronics", include_str!("data/goods/electronics.toml")),
    ("audio", include_str!("data/goods/audio.toml")),
    ("home-decor", include_str!("data/goods/home-decor.toml")),
    ("furniture", include_str!("data/goods/furniture.toml")),
    ("toys-games", include_str!("data/goods/toys-games.toml")),
    ("beauty", include_str!("data/goods/beauty.toml")),
    (
        "sports-fitness",
        include_str!("data/goods/sports-fitness.toml"),
    ),
    ("pet-supplies", include_str!("data/goods/pet-supplies.toml")),
    ("garden", include_str!("data/goods/garden.toml")),
    ("clothing", include_str!("data/goods/clothing.toml")),
    ("stationery", include_str!("data/goods/stationery.toml")),
];
/// The names an opening sentence may fill in; `data/prose.toml` says what each holds.
pub(super) const OPENING_NAMES: &[&str] = &["brand", "described", "use_for", "this", "This", "is"];

static WORD_LISTS: LazyLock<Result<WordLists, WordListError>> = LazyLock::new(parse);

/// The word lists, parsed at the first call.
pub(super) fn word_lists() -> Result<&'static WordLists, WordListError> {
    WORD_LISTS.as_ref().map_err(Clone::clone)
}

/// A word list under `runtime/src/demo/data/` that does not parse or does not fit
/// the others: a fault of the shipped data, which the unit tests catch first.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the demo word list {file} is broken: {reason}")]
pub struct WordListError {
    file: String,
    reason: String,
}

/// Everything the demo catalog is composed from.
pub(super) struct WordLists {
    pub(super) shops: Vec<Shop>,
    /// In the order their listings are generated.
    pub(super) departments: Vec<Department>,
    pub(super) books: Books,
    pub(super) prose: Prose,
}

/// A demo seller.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Shop {
    pub(super) name: String,
    pub(super) email: String,
    /// Category slugs the shop specialises in.
    pub(super) categories: Vec<String>,
    /// The shop's own label and the categories it appears on.
    pub(super) label: Option<Label>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Label {
    pub(super) name: String,
    pub(super) categories: Vec<String>,
}

/// One category of the demo marketplace.
pub(super) struct Department {
    pub(super) slug: String,
    pub(super) name: String,
    pub(super) blurb: String,
    /// Lowest and highest price of any listing, in US cents.
    pub(super) price: (i64, i64),
    pub(super) range: Range,
}

/// What a department sells.
pub(super) enum Range {
    Goods(Goods),
    Books,
}

/// The words of a department of branded goods.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Goods {
    pub(super) brands: Vec<String>,
    pub(super) colours: Vec<String>,
    /// A title adjective and the description sentence that explains it.
    pub(super) features: BTreeMap<String, String>,
    /// A title material and the description sentence that explains it.
    pub(super) materials: BTreeMap<String, String>,
    /// Features or materials that must not share a title.
    #[serde(default)]
    pub(super) clashes: Vec<(String, String)>,
    /// Closing sentences: service, care or gifting.
    pub(super) closers: Vec<String>,
    pub(super) kinds: Vec<Kind>,
}

/// One kind of product, e.g. hiking boots.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Kind {
    /// As in a title: "Hiking Boots".
    pub(super) noun: String,
    /// As in running text: "hiking boots".
    pub(super) prose: String,
    #[serde(default)]
    pub(super) plural: bool,
    /// Price range in US cents.
    pub(super) price: (i64, i64),
    /// Keys of `Goods::features`, in the order two of them read well side by side.
    pub(super) features: Vec<String>,
    /// Keys of `Goods::materials`; empty when the material is not worth a title word.
    #[serde(default)]
    pub(super) materials: Vec<String>,
    #[serde(default)]
    pub(super) coloured: bool,
    pub(super) variant: Option<Variant>,
    /// Fixed attributes, added while there is room.
    #[serde(default)]
    pub(super) facts: Vec<(String, String)>,
    /// What it is for, as a noun phrase: "long days on rocky trails".
    pub(super) use_for: String,
    /// One sentence of concrete detail.
    pub(super) detail: String,
    /// Brands for this kind only; empty means the department's.
    #[serde(default)]
    pub(super) brands: Vec<String>,
}

/// An attribute that varies between listings of a kind, such as capacity or size.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Variant {
    pub(super) key: String,
    pub(super) values: Vec<String>,
    /// How the value appears in the title, `{}` standing for it: `"{}"` goes before the
    /// noun, a template starting with a space follows the noun, any other comes last.
    pub(super) template: String,
    /// Whether later values cost more (sizes, capacities) or not (scents, nibs).
    pub(super) priced: bool,
}

/// The words of the book department.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Books {
    pub(super) first_names: Vec<String>,
    pub(super) last_names: Vec<String>,
    pub(super) genres: Vec<Genre>,
}

/// A genre of the book department.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Genre {
    pub(super) name: String,
    /// "an atmospheric mystery novel"
    pub(super) label: String,
    /// Titles without a subtitle get ": A Novel".
    pub(super) novel: bool,
    pub(super) titles: Vec<String>,
    pub(super) pitches: Vec<String>,
    pub(super) readers: String,
    pub(super) pages: (u32, u32),
    pub(super) formats: Vec<Format>,
    /// Names of the shops that stock the genre; empty means every book specialist.
    #[serde(default)]
    pub(super) shops: Vec<String>,
}

/// A format of a book ("Paperback") and its price range in US cents.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Format {
    pub(super) name: String,
    pub(super) price: (i64, i64),
}

/// How a listing of goods reads, whatever its department.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Prose {
    /// Adjectives that keep their capital in running text.
    pub(super) proper_adjectives: Vec<String>,
    /// Templates of a description's first sentence, filled with [`OPENING_NAMES`].
    pub(super) openings: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShopsFile {
    shops: Vec<Shop>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DepartmentsFile {
    departments: Vec<DepartmentEntry>,
}

/// A department as `departments.toml` lists it; its goods are in their own file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DepartmentEntry {
    slug: String,
    name: String,
    blurb: String,
    price: (i64, i64),
    sells: Sells,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum Sells {
    Goods,
    Books,
}

/// Parses every file and joins each department to its goods.
fn parse() -> Result<WordLists, WordListError> {
    let shops = read::<ShopsFile>("shops.toml", SHOPS)?.shops;
    let entries = read::<DepartmentsFile>("departments.toml", DEPARTMENTS)?.departments;
    let books = read::<Books>("books.toml", BOOKS)?;
    let prose = read::<Prose>("prose.toml", PROSE)?;
    let mut goods = GOODS
        .iter()
        .map(|&(slug, text)| Ok((slug, read::<Goods>(&goods_file(slug), text)?)))
        .collect::<Result<BTreeMap<&str, Goods>, WordListError>>()?;
    let departments = entries
        .into_iter()
        .map(|entry| {
            let range = match entry.sells {
                Sells::Books => Range::Books,
                Sells::Goods => {
                    Range::Goods(goods.remove(entry.slug.as_str()).ok_or_else(|| {
                        broken(
                            "departments.toml",
                            format!("no {}", goods_file(&entry.slug)),
                        )
                    })?)
                }
            };
            Ok(Department {
                slug: entry.slug,
                name: entry.name,
                blurb: entry.blurb,
                price: entry.price,
                range,
            })
        })
        .collect::<Result<Vec<_>, WordListError>>()?;
    if let Some(slug) = goods.keys().next() {
        return Err(broken(&goods_file(slug), "no department sells these goods"));
    }
    check_openings(&prose)?;
    Ok(WordLists {
        shops,
        departments,
        books,
        prose,
    })
}

fn read<T: DeserializeOwned>(file: &str, text: &str) -> Result<T, WordListError> {
    toml::from_str(text).map_err(|e| broken(file, e.to_string()))
}

fn goods_file(slug: &str) -> String {
    format!("goods/{slug}.toml")
}

/// Every opening must fill in only the names the composer knows.
fn check_openings(prose: &Prose) -> Result<(), WordListError> {
    if prose.openings.is_empty() {
        return Err(broken("prose.toml", "no openings"));
    }
    for opening in &prose.openings {
        if let Some(name) = template::names(opening).find(|n| !OPENING_NAMES.contains(n)) {
            return Err(broken(
                "prose.toml",
                format!("unknown {{{name}}} in {opening:?}"),
            ));
        }
    }
    Ok(())
}

fn broken(file: &str, reason: impl Into<String>) -> WordListError {
    WordListError {
        file: file.to_owned(),
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_word_lists_parse_and_every_department_has_words() {
        let words = parse().expect("the shipped word lists parse");
        assert!(!words.shops.is_empty());
        assert_eq!(words.departments.len(), GOODS.len() + 1);
        for dept in &words.departments {
            match &dept.range {
                Range::Goods(goods) => {
                    let name = &dept.slug;
                    assert!(!goods.brands.is_empty(), "{name}: brands");
                    assert!(!goods.features.is_empty(), "{name}: features");
                    assert!(!goods.closers.is_empty(), "{name}: closers");
                    assert!(!goods.kinds.is_empty(), "{name}: kinds");
                }
                Range::Books => {
                    assert!(!words.books.genres.is_empty());
                    assert!(!words.books.first_names.is_empty());
                    assert!(!words.books.last_names.is_empty());
                }
            }
        }
        assert!(!words.prose.proper_adjectives.is_empty());
    }

    #[test]
    fn a_broken_file_is_an_error_naming_it() {
        let err = read::<Goods>("goods/x.toml", "brands = [")
            .err()
            .expect("an error");
        assert!(err.to_string().contains("goods/x.toml"), "{err}");
        let prose = Prose {
            proper_adjectives: vec![],
            openings: vec!["Meet {who}.".to_owned()],
        };
        let err = check_openings(&prose).expect_err("an error");
        assert!(err.to_string().contains("{who}"), "{err}");
    }
}
