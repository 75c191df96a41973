//! Tests of the demo catalog: completeness, uniqueness, plausible prices, stock and
//! ratings, consistent vocabulary and determinism.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};

use souk_models::Currency;

use super::catalog::{DemoCatalog, demo_catalog, planned, specialists};
use super::draft::PER_CATEGORY;
use super::listing::soften;
use super::word_lists::{Department, Range, WordLists, word_lists};

fn words() -> &'static WordLists {
    word_lists().expect("the shipped word lists parse")
}

fn demo() -> DemoCatalog {
    demo_catalog().expect("the shipped word lists parse")
}

fn by_slug(slug: &str) -> &'static Department {
    words().departments.iter().find(|d| d.slug == slug).unwrap()
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
    let catalog = demo();
    assert_eq!(catalog.categories.len(), words().departments.len());
    assert_eq!(catalog.sellers.len(), words().shops.len());
    assert_eq!(
        catalog.products.len(),
        planned(words()),
        "some listings were skipped"
    );
    assert!(catalog.products.len() >= 500);
    assert!(catalog.categories.len() >= 12);
    assert!(catalog.sellers.len() >= 10);
}

#[test]
fn titles_are_unique() {
    let catalog = demo();
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
    let catalog = demo();
    let slugs: BTreeSet<&str> = catalog.categories.iter().map(|c| c.slug.as_str()).collect();
    let mut per_category: BTreeMap<&str, usize> = BTreeMap::new();
    let mut per_seller = vec![0_usize; catalog.sellers.len()];
    for p in &catalog.products {
        assert!(slugs.contains(p.category.as_str()), "{}", p.category);
        assert!(p.seller < catalog.sellers.len());
        per_seller[p.seller] += 1;
        *per_category.entry(p.category.as_str()).or_default() += 1;
        // Products of a category come from its specialists.
        let shop = &words().shops[p.seller];
        assert!(shop.categories.iter().any(|c| c == p.category.as_str()));
    }
    for slug in &slugs {
        let n = per_category.get(slug).copied().unwrap_or(0);
        assert!(n >= 20, "{slug} has only {n} products");
    }
    for (i, n) in per_seller.iter().enumerate() {
        assert!(*n > 0, "{} sells nothing", words().shops[i].name);
    }
}

#[test]
fn sellers_are_on_example_domains() {
    for seller in demo().sellers {
        let domain = seller.email.as_str().split('@').nth(1).unwrap();
        assert!(["example.com", "example.org", "example.net"].contains(&domain));
        let shops = words()
            .shops
            .iter()
            .find(|s| s.name == seller.display_name.as_str())
            .unwrap();
        assert!((2..=4).contains(&shops.categories.len()), "{}", shops.name);
    }
}

#[test]
fn stock_has_sold_out_and_low_lines() {
    let catalog = demo();
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
    for p in demo().products {
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
    let books: Vec<i64> = demo()
        .products
        .iter()
        .filter(|p| p.category.as_str() == "books")
        .map(|p| p.price.amount())
        .collect();
    assert!(books.iter().all(|c| (899..=4999).contains(c)));
}

#[test]
fn ratings_are_plausible() {
    let catalog = demo();
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
    for p in demo().products {
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
    for p in demo().products {
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
fn word_lists_are_consistent() {
    let words = words();
    let slugs: BTreeSet<&str> = words.departments.iter().map(|d| d.slug.as_str()).collect();
    assert_eq!(slugs.len(), words.departments.len());
    for shop in &words.shops {
        assert!(
            shop.categories.iter().all(|c| slugs.contains(c.as_str())),
            "{}",
            shop.name
        );
        if let Some(label) = &shop.label {
            assert!(
                label.categories.iter().all(|c| shop.categories.contains(c)),
                "{}",
                shop.name
            );
        }
    }
    for dept in &words.departments {
        assert!(
            !specialists(&words.shops, &dept.slug).is_empty(),
            "nobody sells {}",
            dept.slug
        );
        let Range::Goods(goods) = &dept.range else {
            continue;
        };
        assert!(!goods.kinds.is_empty());
        for kind in &goods.kinds {
            let name = &kind.noun;
            assert!(!kind.features.is_empty(), "{name}");
            for f in &kind.features {
                assert!(goods.features.contains_key(f), "{name}: feature {f}");
            }
            for m in &kind.materials {
                assert!(goods.materials.contains_key(m), "{name}: material {m}");
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
    let book_shops: Vec<&str> = specialists(&words.shops, "books")
        .iter()
        .map(|&i| words.shops[i].name.as_str())
        .collect();
    for genre in &words.books.genres {
        assert!(
            !genre.formats.is_empty() && genre.pitches.len() >= 2,
            "{}",
            genre.name
        );
        for format in &genre.formats {
            let (lo, hi) = format.price;
            assert!(
                books.price.0 <= lo && lo < hi && hi <= books.price.1,
                "{}",
                genre.name
            );
        }
        for shop in &genre.shops {
            assert!(
                book_shops.contains(&shop.as_str()),
                "{shop} does not sell books"
            );
        }
    }
    let book_titles: usize = words.books.genres.iter().map(|g| g.titles.len()).sum();
    assert!(book_titles >= PER_CATEGORY);
}

#[test]
fn is_deterministic() {
    let a = demo();
    let b = demo();
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
    let proper = &words().prose.proper_adjectives;
    assert_eq!(
        soften("Wireless Noise-Cancelling", proper),
        "wireless noise-cancelling"
    );
    assert_eq!(soften("4K", proper), "4K");
    assert_eq!(soften("EVA Foam", proper), "EVA foam");
    assert_eq!(soften("Scandinavian", proper), "Scandinavian");
    assert_eq!(soften("Hi-Fi", proper), "hi-fi");
}
