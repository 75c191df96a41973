//! Table-driven tests of the follow-up parser.
// Test code: clippy.toml allows unwrap/expect in `#[test]` fns only, not in helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use souk_embeddings::query::{
    CartIntent, FollowUp, Pick, Refinement, Vocabulary, parse, parse_follow_up,
};

fn vocab() -> Vocabulary {
    let mut v = Vocabulary::new();
    v.add_category("electronics", "Electronics").unwrap();
    v.add_attribute_values("colour", ["red", "blue", "navy"])
        .unwrap();
    v
}

fn cart(pick: Pick, quantity: u32) -> FollowUp {
    FollowUp::AddToCart(CartIntent { pick, quantity })
}

fn refine(refinements: &[Refinement]) -> FollowUp {
    FollowUp::Refine(refinements.to_vec())
}

fn colour(value: &str) -> Refinement {
    Refinement::Attribute {
        name: "colour".to_owned(),
        value: value.to_owned(),
    }
}

#[test]
fn cart_requests() {
    let cases = [
        ("add the second one to my cart", cart(Pick::Nth(2), 1)),
        ("Add the 2nd one", cart(Pick::Nth(2), 1)),
        ("add #3 please", cart(Pick::Nth(3), 1)),
        ("add item 4 to the basket", cart(Pick::Nth(4), 1)),
        ("add number 2", cart(Pick::Nth(2), 1)),
        ("I'll take the first", cart(Pick::Nth(1), 1)),
        ("put the third in my cart", cart(Pick::Nth(3), 1)),
        ("add the last one", cart(Pick::Last, 1)),
        ("add the first two", cart(Pick::FirstN(2), 1)),
        ("add the top 3 to my cart", cart(Pick::FirstN(3), 1)),
        ("add the last two", cart(Pick::LastN(2), 1)),
        (
            "add the first and third",
            cart(Pick::Several(vec![1, 3]), 1),
        ),
        ("add both", cart(Pick::FirstN(2), 1)),
        ("add all of them", cart(Pick::All, 1)),
        ("add those to my cart", cart(Pick::All, 1)),
        ("add it", cart(Pick::Current, 1)),
        ("add this one to my cart", cart(Pick::Current, 1)),
        ("buy it", cart(Pick::Current, 1)),
        ("add 2 of those", cart(Pick::Current, 2)),
        ("add 2", cart(Pick::Current, 2)),
        ("add a couple of those", cart(Pick::Current, 2)),
        ("add two of the first one", cart(Pick::Nth(1), 2)),
        ("add 3 of the second", cart(Pick::Nth(2), 3)),
        ("add another one to my cart", cart(Pick::Current, 1)),
        ("add one to my cart", cart(Pick::Current, 1)),
    ];
    let vocab = vocab();
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(message, want)| {
            let got = parse_follow_up(message, &vocab);
            (got != *want).then(|| format!("{message:?}: got {got:?}, wanted {want:?}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn refinements() {
    let cases = [
        ("cheaper ones", refine(&[Refinement::Cheaper])),
        ("show me something cheaper", refine(&[Refinement::Cheaper])),
        (
            "any less expensive options?",
            refine(&[Refinement::Cheaper]),
        ),
        ("something more expensive", refine(&[Refinement::Pricier])),
        ("only red", refine(&[colour("red")])),
        ("just the navy ones", refine(&[colour("navy")])),
        ("only the ones in stock", refine(&[Refinement::InStock])),
        (
            "red ones under $30",
            refine(&[
                Refinement::Price {
                    min: None,
                    max: Some(3000),
                    currency: Some("USD".to_owned()),
                },
                colour("red"),
            ]),
        ),
        (
            "what about electronics?",
            refine(&[Refinement::Category("electronics".to_owned())]),
        ),
    ];
    let vocab = vocab();
    for (message, want) in cases {
        assert_eq!(parse_follow_up(message, &vocab), want, "{message:?}");
    }
}

#[test]
fn new_queries_are_not_follow_ups() {
    let vocab = vocab();
    for message in [
        "red running shoes under $50",
        "get me a red one",
        "a gift for a coffee lover",
        "thanks!",
    ] {
        assert_eq!(
            parse_follow_up(message, &vocab),
            FollowUp::NewQuery(parse(message, &vocab)),
            "{message:?}"
        );
    }
}
