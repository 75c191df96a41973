//! The demo marketplace: categories, sellers and products seeded by `souk serve --demo`.
//!
//! Listings are composed from the word lists in `super::word_lists` with a small seeded
//! generator (splitmix64), so every call returns exactly the same catalog. Each category
//! draws from its own stream, seeded by its slug.
//!
//! Titles and descriptions of goods are composed in `super::listing`, books in
//! `super::books`, both as a `super::draft::Draft`; the generator and the price, stock
//! and rating draws live in `super::random`.

use std::collections::BTreeSet;

use souk_models::{
    Attributes, Category, CategorySlug, Currency, Description, DisplayName, Email, Money, Rating,
    Title,
};

use super::books::book_drafts;
use super::draft::{Draft, PER_CATEGORY};
use super::listing::Listing;
use super::random::{Rng, fnv1a, rating, stock};
use super::word_lists::{Department, Goods, Range, Shop, WordListError, WordLists, word_lists};

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

/// Draws allowed for one listing before it is given up; the tests prove none is.
const MAX_DRAWS: usize = 500;
/// Mixed with each category's slug to seed its stream.
const SEED: u64 = 0x50C4_DE30_2024_0001;

/// Builds the demo catalog. Deterministic: the same output on every call; an error only
/// when the shipped word lists are broken.
pub fn demo_catalog() -> Result<DemoCatalog, WordListError> {
    let words = word_lists()?;
    let categories = words
        .departments
        .iter()
        .filter_map(|d| {
            Some(Category {
                slug: CategorySlug::parse(&d.slug).ok()?,
                name: d.name.clone(),
                description: d.blurb.clone(),
            })
        })
        .collect();
    // Products index sellers by their position in the shops; the tests prove none is skipped.
    let sellers = words
        .shops
        .iter()
        .filter_map(|s| {
            Some(DemoSeller {
                email: Email::parse(&s.email).ok()?,
                display_name: DisplayName::parse(&s.name).ok()?,
            })
        })
        .collect();

    let mut titles = BTreeSet::new();
    let mut products = Vec::with_capacity(planned(words));
    for dept in &words.departments {
        let Ok(slug) = CategorySlug::parse(&dept.slug) else {
            continue;
        };
        let shops = specialists(&words.shops, &dept.slug);
        let mut rng = Rng::new(SEED ^ fnv1a(&dept.slug));
        let drafts = match &dept.range {
            Range::Goods(goods) => {
                goods_drafts(words, &dept.slug, goods, &shops, &mut rng, &mut titles)
            }
            Range::Books => book_drafts(words, &shops, &mut rng, &mut titles),
        };
        products.extend(
            drafts
                .into_iter()
                .filter_map(|draft| finish(draft, dept, &slug, &mut rng)),
        );
    }
    Ok(DemoCatalog {
        categories,
        sellers,
        products,
    })
}

/// How many listings the generator sets out to make.
pub(super) fn planned(words: &WordLists) -> usize {
    words.departments.len() * PER_CATEGORY
}

/// Indexes into `shops` of the shops that specialise in a category.
pub(super) fn specialists(shops: &[Shop], slug: &str) -> Vec<usize> {
    shops
        .iter()
        .enumerate()
        .filter(|(_, shop)| shop.categories.iter().any(|c| c == slug))
        .map(|(i, _)| i)
        .collect()
}

/// A draft made a product: checked, priced within its department, stocked and rated.
fn finish(
    draft: Draft,
    dept: &Department,
    slug: &CategorySlug,
    rng: &mut Rng,
) -> Option<DemoProduct> {
    let (lo, hi) = dept.price;
    Some(DemoProduct {
        seller: draft.shop,
        title: Title::parse(&draft.title).ok()?,
        description: Description::parse(&draft.description).ok()?,
        category: slug.clone(),
        attributes: Attributes::parse(draft.attributes).ok()?,
        price: Money::new(draft.cents.clamp(lo, hi), Currency::USD).ok()?,
        stock: stock(rng),
        rating: rating(rng),
    })
}

fn goods_drafts(
    words: &'static WordLists,
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
            words,
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
