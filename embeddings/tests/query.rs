//! Table-driven tests of the constraint parser.
// Test code: clippy.toml allows unwrap/expect in `#[test]` fns only, not in helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use souk_embeddings::query::{Constraints, Vocabulary, parse};

fn vocab() -> Vocabulary {
    let mut v = Vocabulary::new();
    for (slug, name) in [
        ("coffee-tea", "Coffee & Tea"),
        ("outdoor-gear", "Outdoor Gear"),
        ("electronics", "Electronics"),
        ("home-kitchen", "Home & Kitchen"),
        ("books", "Books"),
        ("shoes", "Shoes"),
        ("toys-games", "Toys & Games"),
    ] {
        v.add_category(slug, name).unwrap();
    }
    v.add_attribute_values(
        "colour",
        ["red", "blue", "navy", "navy blue", "green", "black"],
    )
    .unwrap();
    v.add_attribute_values("size", ["S", "M", "L", "XL", "42"])
        .unwrap();
    v.add_attribute_values("brand", ["Kestrel", "Blue Bottle"])
        .unwrap();
    v
}

/// What a case expects; unset fields must be at their defaults.
#[derive(Default)]
struct Want {
    min: Option<i64>,
    max: Option<i64>,
    currency: Option<&'static str>,
    cheap: bool,
    in_stock: bool,
    category: Option<&'static str>,
    attributes: &'static [(&'static str, &'static str)],
    rest: &'static str,
}

fn check(message: &str, want: Want, vocab: &Vocabulary) -> Result<(), String> {
    let got = parse(message, vocab);
    let expected = Constraints {
        min_price: want.min,
        max_price: want.max,
        currency: want.currency.map(str::to_owned),
        cheap: want.cheap,
        in_stock: want.in_stock,
        category: want.category.map(str::to_owned),
        attributes: want
            .attributes
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect(),
        remaining_text: want.rest.to_owned(),
    };
    if got == expected {
        Ok(())
    } else {
        Err(format!("{message:?}\n   got {got:?}\nwanted {expected:?}"))
    }
}

macro_rules! cases {
    ($($message:expr => { $($field:ident : $value:expr),* $(,)? }),* $(,)?) => {
        vec![$(($message, Want { $($field: $value,)* ..Want::default() })),*]
    };
}

#[test]
fn phrasings() {
    let vocab = vocab();
    let usd = Some("USD");
    let cases = cases![
        "headphones under 50 dollars" => { max: Some(5000), currency: usd, rest: "headphones" },
        "a jacket under $120" => { max: Some(12000), currency: usd, rest: "jacket" },
        "tea less than 30 euros" => { max: Some(3000), currency: Some("EUR"), category: Some("coffee-tea") },
        "scarf below £20" => { max: Some(2000), currency: Some("GBP"), rest: "scarf" },
        "lamp at most 45" => { max: Some(4500), rest: "lamp" },
        "speaker max 60 usd" => { max: Some(6000), currency: usd, rest: "speaker" },
        "mug between $20 and $40" => { min: Some(2000), max: Some(4000), currency: usd, rest: "mug" },
        "kettle from 20 to 40 dollars" => { min: Some(2000), max: Some(4000), currency: usd, rest: "kettle" },
        "backpack $20-$40" => { min: Some(2000), max: Some(4000), currency: usd, rest: "backpack" },
        "backpack $20 - $40" => { min: Some(2000), max: Some(4000), currency: usd, rest: "backpack" },
        "watch over 100" => { min: Some(10000), rest: "watch" },
        "gift more than $15" => { min: Some(1500), currency: usd, rest: "gift" },
        "wine glasses at least 10 EUR" => { min: Some(1000), currency: Some("EUR"), rest: "wine glasses" },
        "cheap headphones" => { cheap: true, rest: "headphones" },
        "inexpensive desk lamp" => { cheap: true, rest: "desk lamp" },
        "budget headphones" => { cheap: true, rest: "headphones" },
        "a tent on a budget" => { cheap: true, category: None, rest: "tent" },
        "affordable sofa" => { cheap: true, rest: "sofa" },
        "rain jacket in stock" => { in_stock: true, rest: "rain jacket" },
        "rain jacket available now" => { in_stock: true, rest: "rain jacket" },
        "in-stock tent" => { in_stock: true, rest: "tent" },
        "red t-shirt" => { attributes: &[("colour", "red")], rest: "t-shirt" },
        "navy sweater" => { attributes: &[("colour", "navy")], rest: "sweater" },
        "navy blue sweater" => { attributes: &[("colour", "navy blue")], rest: "sweater" },
        "sweater in green" => { attributes: &[("colour", "green")], rest: "sweater" },
        "hoodie colour: black" => { attributes: &[("colour", "black")], rest: "hoodie" },
        "red or blue mug" => { attributes: &[("colour", "red"), ("colour", "blue")], rest: "mug" },
        "not red, something calmer" => { rest: "not red, something calmer" },
        "boots size 42" => { attributes: &[("size", "42")], rest: "boots" },
        "t-shirt in XL" => { attributes: &[("size", "XL")], rest: "t-shirt" },
        "t-shirt size M" => { attributes: &[("size", "M")], rest: "t-shirt" },
        "I'm looking for a hat" => { rest: "I'm looking for a hat" },
        "Kestrel hiking boots" => { attributes: &[("brand", "Kestrel")], rest: "hiking boots" },
        "blue bottle coffee beans" => { category: Some("coffee-tea"), attributes: &[("brand", "Blue Bottle")], rest: "beans" },
        "gift for a coffee lover" => { rest: "gift for a coffee lover" },
        "gift for a coffee lover under $50" => { max: Some(5000), currency: usd, rest: "gift for a coffee lover" },
        "coffee & tea sampler" => { category: Some("coffee-tea"), rest: "sampler" },
        "coffee and tea sampler" => { category: Some("coffee-tea"), rest: "sampler" },
        "something from outdoor gear" => { category: Some("outdoor-gear"), rest: "something" },
        "books about birds" => { category: Some("books"), rest: "about birds" },
        "a book about birds" => { category: Some("books"), rest: "about birds" },
        "running shoe" => { category: Some("shoes"), rest: "running" },
        "board games for kids under 10" => { category: Some("toys-games"), rest: "board for kids under 10" },
        "toys for kids under $25" => { max: Some(2500), currency: usd, category: Some("toys-games"), rest: "kids" },
        "cable under 2 m" => { rest: "cable under 2 m" },
        "charger around $30" => { min: Some(2400), max: Some(3600), currency: usd, rest: "charger" },
        "earrings $12.50 or less" => { max: Some(1250), currency: usd, rest: "earrings" },
        "vase for under 1.5k" => { max: Some(150_000), rest: "vase" },
        "electronics over $20 and under $50 in stock" => { min: Some(2000), max: Some(5000), currency: usd, in_stock: true, category: Some("electronics") },
        "cheap red kettle in stock under 30 euros" => { max: Some(3000), currency: Some("EUR"), cheap: true, in_stock: true, attributes: &[("colour", "red")], rest: "kettle" },
        "50 dollar gift card" => { rest: "50 dollar gift card" },
        "blender no more than fifty bucks" => { max: Some(5000), currency: usd, rest: "blender" },
        "camera priced between 200 and 300" => { min: Some(20000), max: Some(30000), rest: "camera" },
        "pan that costs less than €40" => { max: Some(4000), currency: Some("EUR"), rest: "pan" },
        "knives 20-40 euros" => { min: Some(2000), max: Some(4000), currency: Some("EUR"), rest: "knives" },
        "a set of 38-40 pegs" => { rest: "set of 38-40 pegs" },
        "teapot under 5000 yen" => { max: Some(5000), currency: Some("JPY"), rest: "teapot" },
        "" => {},
    ];
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    let failures: Vec<String> = cases
        .into_iter()
        .filter_map(|(message, want)| check(message, want, &vocab).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn constraints_become_an_index_filter() {
    let c = parse("electronics under $50 in stock", &vocab());
    let filter = c.to_filter();
    assert_eq!(filter.category.as_deref(), Some("electronics"));
    assert_eq!(filter.max_price, Some(5000));
    assert_eq!(filter.currency.as_deref(), Some("USD"));
    assert!(filter.in_stock);
    assert!(!c.is_unconstrained());
    assert!(parse("a nice hat", &vocab()).is_unconstrained());
}

#[test]
fn default_currency_sets_the_minor_unit() {
    let vocab =
        Vocabulary::new().with_default_currency(souk_models::Currency::parse("JPY").unwrap());
    assert_eq!(parse("under 3000", &vocab).max_price, Some(3000));
    assert_eq!(parse("under $30", &vocab).max_price, Some(3000));
}
