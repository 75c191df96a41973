//! The demo marketplace: categories, sellers and products seeded by `souk serve --demo`.
//!
//! Listings are composed from the word lists in `super::vocabulary` with a small seeded
//! generator (splitmix64), so every call returns exactly the same catalog. Each category
//! draws from its own stream, seeded by its slug.

use std::collections::{BTreeMap, BTreeSet};

use souk_models::{
    Attributes, Category, CategorySlug, Currency, Description, DisplayName, Email, Money, Rating,
    Title,
};

use super::vocabulary::{
    DEPARTMENTS, Department, FIRST_NAMES, GENRES, Genre, Goods, Kind, LAST_NAMES, Range, SHOPS,
    Variant,
};

/// A seller account the demo creates.
pub struct DemoSeller {
    pub email: Email,
    pub display_name: DisplayName,
}

/// One demo listing; `seller` indexes `DemoCatalog::sellers`.
pub struct DemoProduct {
    pub seller: usize,
    pub title: Title,
    pub description: Description,
    pub category: CategorySlug,
    pub attributes: Attributes,
    /// USD, integer cents.
    pub price: Money,
    pub stock: u32,
    /// `stars_total / count`, as if reviewed.
    pub rating: Rating,
}

pub struct DemoCatalog {
    pub categories: Vec<Category>,
    pub sellers: Vec<DemoSeller>,
    pub products: Vec<DemoProduct>,
}

/// Listings generated for every category.
const PER_CATEGORY: usize = 36;
/// Draws allowed for one listing before it is given up; the tests prove none is.
const MAX_DRAWS: usize = 500;
/// Mixed with each category's slug to seed its stream.
const SEED: u64 = 0x50C4_DE30_2024_0001;
/// Chance that a listing pairs two adjectives ("Wireless Noise-Cancelling").
const TWO_ADJECTIVES: f64 = 0.3;
/// Chance that a listing names its material when its kind has any.
const NAMED_MATERIAL: f64 = 0.7;
/// Chance that a shop sells its own label rather than another brand.
const OWN_LABEL: f64 = 0.35;
const MAX_ATTRIBUTES: usize = 5;
const MAX_WORDS: usize = 90;
/// Adjectives that keep their capital in running text.
const PROPER: &[&str] = &[
    "Scandinavian",
    "European",
    "Japanese",
    "Colombian",
    "Ethiopian",
];

/// Builds the demo catalog. Deterministic: the same output on every call.
pub fn demo_catalog() -> DemoCatalog {
    let categories = DEPARTMENTS
        .iter()
        .filter_map(|d| {
            Some(Category {
                slug: CategorySlug::parse(d.slug).ok()?,
                name: d.name.to_owned(),
                description: d.blurb.to_owned(),
            })
        })
        .collect();
    // Products index sellers by their position in SHOPS; the tests prove none is skipped.
    let sellers = SHOPS
        .iter()
        .filter_map(|s| {
            Some(DemoSeller {
                email: Email::parse(s.email).ok()?,
                display_name: DisplayName::parse(s.name).ok()?,
            })
        })
        .collect();

    let mut titles = BTreeSet::new();
    let mut products = Vec::with_capacity(planned());
    for dept in DEPARTMENTS {
        let Ok(slug) = CategorySlug::parse(dept.slug) else {
            continue;
        };
        let shops = specialists(dept.slug);
        let mut rng = Rng::new(SEED ^ fnv1a(dept.slug));
        let drafts = match &dept.range {
            Range::Goods(goods) => goods_drafts(dept.slug, goods, &shops, &mut rng, &mut titles),
            Range::Books => book_drafts(&shops, &mut rng, &mut titles),
        };
        products.extend(
            drafts
                .into_iter()
                .filter_map(|draft| draft.finish(dept, &slug, &mut rng)),
        );
    }
    DemoCatalog {
        categories,
        sellers,
        products,
    }
}

/// How many listings the generator sets out to make.
fn planned() -> usize {
    DEPARTMENTS.len() * PER_CATEGORY
}

/// Indexes into `SHOPS` of the shops that specialise in a category.
fn specialists(slug: &str) -> Vec<usize> {
    SHOPS
        .iter()
        .enumerate()
        .filter(|(_, shop)| shop.categories.contains(&slug))
        .map(|(i, _)| i)
        .collect()
}

/// A listing before validation, stock and rating.
struct Draft {
    shop: usize,
    title: String,
    description: String,
    attributes: BTreeMap<String, String>,
    cents: i64,
}

impl Draft {
    fn finish(self, dept: &Department, slug: &CategorySlug, rng: &mut Rng) -> Option<DemoProduct> {
        let (lo, hi) = dept.price;
        Some(DemoProduct {
            seller: self.shop,
            title: Title::parse(&self.title).ok()?,
            description: Description::parse(&self.description).ok()?,
            category: slug.clone(),
            attributes: Attributes::parse(self.attributes).ok()?,
            price: Money::new(self.cents.clamp(lo, hi), Currency::USD).ok()?,
            stock: stock(rng),
            rating: rating(rng),
        })
    }
}

fn goods_drafts(
    slug: &str,
    goods: &'static Goods,
    shops: &[usize],
    rng: &mut Rng,
    titles: &mut BTreeSet<String>,
) -> Vec<Draft> {
    let mut stems = BTreeSet::new();
    let mut drafts = Vec::with_capacity(PER_CATEGORY);
    for i in 0..PER_CATEGORY {
        let Some(kind) = goods.kinds.get(i % goods.kinds.len().max(1)) else {
            break;
        };
        let Some(&shop) = rng.pick(shops) else {
            break;
        };
        let mut listing = Listing {
            slug,
            goods,
            kind,
            shop,
            stems: &mut stems,
            titles,
        };
        drafts.extend((0..MAX_DRAWS).find_map(|_| listing.draw(rng)));
    }
    drafts
}

/// One listing of branded goods being drawn, with the names already taken.
struct Listing<'a> {
    slug: &'a str,
    goods: &'static Goods,
    kind: &'static Kind,
    shop: usize,
    /// Brand, adjectives, material and noun of the category's listings so far: no two
    /// listings differ only by colour or size.
    stems: &'a mut BTreeSet<String>,
    titles: &'a mut BTreeSet<String>,
}

impl Listing<'_> {
    /// One attempt; `None` when the draw clashes or repeats an earlier listing.
    fn draw(&mut self, rng: &mut Rng) -> Option<Draft> {
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

fn lookup(table: &[(&str, &'static str)], key: &str) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

fn word_count(sentences: &[String]) -> usize {
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
fn soften(text: &str) -> String {
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

fn book_drafts(shops: &[usize], rng: &mut Rng, titles: &mut BTreeSet<String>) -> Vec<Draft> {
    let mut pool: Vec<(&'static Genre, &'static str)> = GENRES
        .iter()
        .flat_map(|genre| genre.titles.iter().map(move |title| (genre, *title)))
        .collect();
    rng.shuffle(&mut pool);
    pool.into_iter()
        .filter_map(|(genre, head)| book(genre, head, shops, rng, titles))
        .take(PER_CATEGORY)
        .collect()
}

fn book(
    genre: &Genre,
    head: &str,
    shops: &[usize],
    rng: &mut Rng,
    titles: &mut BTreeSet<String>,
) -> Option<Draft> {
    let stockists: Vec<usize> = shops
        .iter()
        .copied()
        .filter(|&i| {
            genre.shops.is_empty() || SHOPS.get(i).is_some_and(|s| genre.shops.contains(&s.name))
        })
        .collect();
    let shop = *rng.pick(if stockists.is_empty() {
        shops
    } else {
        &stockists
    })?;
    let author = format!("{} {}", rng.pick(FIRST_NAMES)?, rng.pick(LAST_NAMES)?);
    let &(format, range) = rng.pick(genre.formats)?;
    let title = if genre.novel && !head.contains(':') {
        format!("{head}: A Novel ({format})")
    } else {
        format!("{head} ({format})")
    };
    if !titles.insert(title.clone()) {
        return None;
    }
    let (lo, hi) = genre.pages;
    let pages = (lo + rng.below((hi - lo) as usize + 1) as u32) / 16 * 16;
    let pages = pages.max(lo);
    let short = head.split(':').next().unwrap_or(head);
    let first = rng.below(genre.pitches.len());
    let second =
        (first + 1 + rng.below(genre.pitches.len().saturating_sub(1))) % genre.pitches.len().max(1);
    let mut sentences = vec![format!("{short} is {} by {author}.", genre.label)];
    sentences.extend(genre.pitches.get(first).map(|p| (*p).to_owned()));
    if second != first {
        sentences.extend(genre.pitches.get(second).map(|p| (*p).to_owned()));
    }
    sentences.push(format!(
        "This {} edition runs to {pages} pages and makes a thoughtful gift for {}.",
        format.to_lowercase(),
        genre.readers
    ));
    while word_count(&sentences) > MAX_WORDS && sentences.len() > 2 {
        sentences.remove(1);
    }
    let attributes = BTreeMap::from([
        ("author".to_owned(), author),
        ("format".to_owned(), format.to_lowercase()),
        ("genre".to_owned(), genre.name.to_lowercase()),
        ("pages".to_owned(), pages.to_string()),
    ]);
    Some(Draft {
        shop,
        title,
        description: sentences.join(" "),
        attributes,
        cents: price(rng, range, None),
    })
}

/// A price in `lo..=hi` cents ending in 99, 49 or 00. `band` (the variant's position
/// and the number of variants) splits the range so that larger variants cost more.
fn price(rng: &mut Rng, (lo, hi): (i64, i64), band: Option<(usize, usize)>) -> i64 {
    let u = rng.unit();
    let fraction = band.map_or(u, |(at, of)| (at as f64 + u) / of.max(1) as f64);
    let raw = lo + ((hi - lo) as f64 * fraction) as i64;
    let dollars = raw / 100;
    let ending = match rng.below(10) {
        0..=5 => 99,
        6 | 7 if dollars < 100 => 49,
        6 | 7 => 99,
        _ => 0,
    };
    let mut cents = dollars * 100 + ending;
    if cents > hi {
        cents -= 100;
    }
    cents.clamp(lo, hi)
}

/// About 5 % sold out, 10 % nearly gone (1–5), the rest 6–500 and mostly modest.
fn stock(rng: &mut Rng) -> u32 {
    let roll = rng.unit();
    if roll < 0.05 {
        0
    } else if roll < 0.15 {
        1 + rng.below(5) as u32
    } else {
        let u = rng.unit();
        6 + (u * u * 494.0) as u32
    }
}

/// About 10 % unreviewed; otherwise up to 800 reviews averaging 3.0 to 4.9 stars.
fn rating(rng: &mut Rng) -> Rating {
    if rng.chance(0.1) {
        return Rating::default();
    }
    let u = rng.unit();
    let count = 1 + (u * u * u * 799.0) as u32;
    let average = 4.9 - 1.9 * rng.unit().powf(1.6);
    let stars_total = (average * f64::from(count)).round() as u64;
    Rating { stars_total, count }
}

/// FNV-1a, to turn a slug into a seed.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// splitmix64: tiny, fast and good enough for demo data.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1_u64 << 53) as f64
    }

    /// Uniform in `0..n`; 0 when `n` is 0.
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn by_slug(slug: &str) -> &'static Department {
        DEPARTMENTS.iter().find(|d| d.slug == slug).unwrap()
    }

    /// Sentences end in `.`, `!` or `?` followed by the end or a capital; "Co. are" is
    /// not an end.
    fn sentence_count(text: &str) -> usize {
        let chars: Vec<char> = text.chars().collect();
        chars
            .iter()
            .enumerate()
            .filter(|(i, c)| {
                matches!(c, '.' | '!' | '?')
                    && match chars.get(i + 1) {
                        None => true,
                        Some(' ') => chars.get(i + 2).is_some_and(|n| n.is_uppercase()),
                        Some(_) => false,
                    }
            })
            .count()
    }

    #[test]
    fn generates_everything_it_plans() {
        let catalog = demo_catalog();
        assert_eq!(catalog.categories.len(), DEPARTMENTS.len());
        assert_eq!(catalog.sellers.len(), SHOPS.len());
        assert_eq!(
            catalog.products.len(),
            planned(),
            "some listings were skipped"
        );
        assert!(catalog.products.len() >= 500);
        assert!(catalog.categories.len() >= 12);
        assert!(catalog.sellers.len() >= 10);
    }

    #[test]
    fn titles_are_unique() {
        let catalog = demo_catalog();
        let mut seen = BTreeSet::new();
        for p in &catalog.products {
            assert!(
                seen.insert(p.title.as_str()),
                "duplicate title {}",
                p.title.as_str()
            );
        }
    }

    #[test]
    fn references_are_valid_and_every_category_and_seller_is_stocked() {
        let catalog = demo_catalog();
        let slugs: BTreeSet<&str> = catalog.categories.iter().map(|c| c.slug.as_str()).collect();
        let mut per_category: BTreeMap<&str, usize> = BTreeMap::new();
        let mut per_seller = vec![0_usize; catalog.sellers.len()];
        for p in &catalog.products {
            assert!(slugs.contains(p.category.as_str()), "{}", p.category);
            assert!(p.seller < catalog.sellers.len());
            per_seller[p.seller] += 1;
            *per_category.entry(p.category.as_str()).or_default() += 1;
            // Products of a category come from its specialists.
            assert!(SHOPS[p.seller].categories.contains(&p.category.as_str()));
        }
        for slug in &slugs {
            let n = per_category.get(slug).copied().unwrap_or(0);
            assert!(n >= 20, "{slug} has only {n} products");
        }
        for (i, n) in per_seller.iter().enumerate() {
            assert!(*n > 0, "{} sells nothing", SHOPS[i].name);
        }
    }

    #[test]
    fn sellers_are_on_example_domains() {
        for seller in demo_catalog().sellers {
            let domain = seller.email.as_str().split('@').nth(1).unwrap();
            assert!(["example.com", "example.org", "example.net"].contains(&domain));
            let shops = SHOPS
                .iter()
                .find(|s| s.name == seller.display_name.as_str())
                .unwrap();
            assert!((2..=4).contains(&shops.categories.len()), "{}", shops.name);
        }
    }

    #[test]
    fn stock_has_sold_out_and_low_lines() {
        let catalog = demo_catalog();
        let sold_out = catalog.products.iter().filter(|p| p.stock == 0).count();
        let low = catalog
            .products
            .iter()
            .filter(|p| (1..=5).contains(&p.stock))
            .count();
        let in_stock = catalog.products.iter().filter(|p| p.stock > 5).count();
        assert!(sold_out >= 3, "{sold_out} sold out");
        assert!(low >= 10, "{low} low");
        assert!(in_stock >= 10, "{in_stock} in stock");
        assert!(sold_out * 10 < catalog.products.len(), "too many sold out");
        assert!(catalog.products.iter().all(|p| p.stock <= 500));
    }

    #[test]
    fn prices_are_sane() {
        for p in demo_catalog().products {
            let (lo, hi) = by_slug(p.category.as_str()).price;
            let cents = p.price.amount();
            assert_eq!(p.price.currency(), Currency::USD);
            assert!(
                (lo..=hi).contains(&cents),
                "{} costs {cents}",
                p.title.as_str()
            );
            assert!((100..=200_000).contains(&cents));
            assert!(
                [99, 49, 0].contains(&(cents % 100)),
                "{} costs {cents}",
                p.title.as_str()
            );
        }
        let books: Vec<i64> = demo_catalog()
            .products
            .iter()
            .filter(|p| p.category.as_str() == "books")
            .map(|p| p.price.amount())
            .collect();
        assert!(books.iter().all(|c| (899..=4999).contains(c)));
    }

    #[test]
    fn ratings_are_plausible() {
        let catalog = demo_catalog();
        let mut unreviewed = 0;
        for p in &catalog.products {
            let r = p.rating;
            assert!(r.count <= 800);
            if r.count == 0 {
                assert_eq!(r.stars_total, 0);
                unreviewed += 1;
            } else {
                let avg = r.average();
                assert!(
                    (3.0..=5.0).contains(&avg),
                    "{} averages {avg}",
                    p.title.as_str()
                );
            }
        }
        assert!(unreviewed > 0);
        assert!(unreviewed < catalog.products.len() / 4);
    }

    #[test]
    fn descriptions_are_two_to_four_sentences_of_forty_to_ninety_words() {
        for p in demo_catalog().products {
            let text = p.description.as_str();
            let words = text.split_whitespace().count();
            assert!((40..=90).contains(&words), "{words} words: {text}");
            let sentences = sentence_count(text);
            assert!(
                (2..=4).contains(&sentences),
                "{sentences} sentences: {text}"
            );
            assert!(!text.contains("  ") && !text.contains(".."), "{text}");
        }
    }

    #[test]
    fn attributes_agree_with_titles() {
        for p in demo_catalog().products {
            let title = p.title.as_str().to_lowercase();
            let n = p.attributes.iter().count();
            assert!((2..=5).contains(&n), "{n} attributes on {title}");
            for key in ["brand", "colour", "material"] {
                if let Some(value) = p.attributes.get(key) {
                    assert!(
                        title.contains(&value.to_lowercase()),
                        "{key}={value} not in {title}"
                    );
                }
            }
            if p.category.as_str() == "books" {
                assert!(p.attributes.get("author").is_some());
            } else {
                assert!(p.attributes.get("brand").is_some(), "{title}");
            }
        }
    }

    #[test]
    fn vocabulary_is_consistent() {
        let slugs: BTreeSet<&str> = DEPARTMENTS.iter().map(|d| d.slug).collect();
        assert_eq!(slugs.len(), DEPARTMENTS.len());
        for shop in SHOPS {
            assert!(
                shop.categories.iter().all(|c| slugs.contains(c)),
                "{}",
                shop.name
            );
            if let Some((_, labelled)) = shop.label {
                assert!(
                    labelled.iter().all(|c| shop.categories.contains(c)),
                    "{}",
                    shop.name
                );
            }
        }
        for dept in DEPARTMENTS {
            assert!(
                !specialists(dept.slug).is_empty(),
                "nobody sells {}",
                dept.slug
            );
            let Range::Goods(goods) = &dept.range else {
                continue;
            };
            assert!(!goods.kinds.is_empty());
            for kind in goods.kinds {
                let name = kind.noun;
                assert!(!kind.features.is_empty(), "{name}");
                for f in kind.features {
                    assert!(lookup(goods.features, f).is_some(), "{name}: feature {f}");
                }
                for m in kind.materials {
                    assert!(lookup(goods.materials, m).is_some(), "{name}: material {m}");
                }
                let (lo, hi) = kind.price;
                assert!(
                    dept.price.0 <= lo && lo < hi && hi <= dept.price.1,
                    "{name}: price"
                );
                assert!(
                    !kind.coloured || !goods.colours.is_empty(),
                    "{name}: colours"
                );
                if let Some(v) = &kind.variant {
                    assert!(!v.values.is_empty() && v.template.contains("{}"), "{name}");
                }
            }
        }
        let books = by_slug("books");
        let book_shops: Vec<&str> = specialists("books")
            .iter()
            .map(|&i| SHOPS[i].name)
            .collect();
        for genre in GENRES {
            assert!(
                !genre.formats.is_empty() && genre.pitches.len() >= 2,
                "{}",
                genre.name
            );
            for (_, (lo, hi)) in genre.formats {
                assert!(
                    books.price.0 <= *lo && lo < hi && *hi <= books.price.1,
                    "{}",
                    genre.name
                );
            }
            for shop in genre.shops {
                assert!(book_shops.contains(shop), "{shop} does not sell books");
            }
        }
        let book_titles: usize = GENRES.iter().map(|g| g.titles.len()).sum();
        assert!(book_titles >= PER_CATEGORY);
    }

    #[test]
    fn is_deterministic() {
        let a = demo_catalog();
        let b = demo_catalog();
        assert_eq!(a.products.len(), b.products.len());
        for (x, y) in a.products.iter().zip(&b.products) {
            assert_eq!(x.title, y.title);
            assert_eq!(x.price, y.price);
            assert_eq!(x.description, y.description);
            assert_eq!(x.attributes, y.attributes);
            assert_eq!((x.seller, x.stock, x.rating), (y.seller, y.stock, y.rating));
        }
    }

    #[test]
    fn soften_keeps_acronyms_and_proper_words() {
        assert_eq!(
            soften("Wireless Noise-Cancelling"),
            "wireless noise-cancelling"
        );
        assert_eq!(soften("4K"), "4K");
        assert_eq!(soften("EVA Foam"), "EVA foam");
        assert_eq!(soften("Scandinavian"), "Scandinavian");
        assert_eq!(soften("Hi-Fi"), "hi-fi");
    }
}
