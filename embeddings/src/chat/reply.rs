//! Wording the answer. Only products passed in are ever named, so an answer
//! never mentions a product the response does not carry.

use std::fmt::Write;

use souk_models::{Currency, Money};
use uuid::Uuid;

use super::plan::Query;

/// A product the answer recommends, with the facts its reasons come from.
#[derive(Debug, Clone)]
pub struct Offer {
    pub id: Uuid,
    pub title: String,
    pub price: Money,
    pub category: String,
    pub attributes: Vec<(String, String)>,
    pub available: u64,
}

/// The answer to a search: what was looked for, then each product with why
/// it was chosen; or, when nothing matched, a plain statement of that.
pub fn results(query: &Query, offers: &[Offer], currency: Currency) -> String {
    let wanted = describe(query, currency);
    if offers.is_empty() {
        return format!(
            "Sorry, nothing in the catalog matched {wanted}. Try other words, or fewer \
             constraints (price, colour, size, category)."
        );
    }
    let mut answer = match offers.len() {
        1 => format!("I found one product for {wanted}:"),
        n => format!("Here are {n} products for {wanted}:"),
    };
    for (i, offer) in offers.iter().enumerate() {
        let _ = write!(
            answer,
            "\n{}. {} — {}: {}.",
            i + 1,
            offer.title,
            offer.price,
            reasons(query, offer, i).join(", ")
        );
    }
    answer
        .push_str("\nSay \"add the first one\" to put one in your cart, or ask for cheaper ones.");
    answer
}

/// What the shopper asked for, in words.
fn describe(query: &Query, currency: Currency) -> String {
    let mut parts = Vec::new();
    let text = query.text.trim();
    if !text.is_empty() {
        parts.push(format!("“{text}”"));
    }
    for (name, value) in &query.attributes {
        parts.push(format!("{name} {value}"));
    }
    if let Some(category) = &query.filter.category {
        parts.push(format!("in {}", category.replace('-', " ")));
    }
    let money = |minor: i64| {
        Money::new(minor, currency).map_or_else(|_| minor.to_string(), |m| m.to_string())
    };
    match (query.filter.min_price, query.filter.max_price) {
        (Some(min), Some(max)) => parts.push(format!("between {} and {}", money(min), money(max))),
        (Some(min), None) => parts.push(format!("from {}", money(min))),
        (None, Some(max)) => parts.push(format!("up to {}", money(max))),
        (None, None) => {}
    }
    if query.filter.in_stock {
        parts.push("in stock".to_owned());
    }
    if query.cheap {
        parts.push("cheapest first".to_owned());
    }
    if query.pricier {
        parts.push("dearest first".to_owned());
    }
    if parts.is_empty() {
        "your request".to_owned()
    } else {
        parts.join(", ")
    }
}

/// Why `offer` (shown at `position`) was chosen.
fn reasons(query: &Query, offer: &Offer, position: usize) -> Vec<String> {
    let mut why = Vec::new();
    let title = offer.title.to_lowercase();
    let words: Vec<&str> = query
        .text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() > 2 && title.contains(&w.to_lowercase()))
        .collect();
    if !words.is_empty() {
        why.push(format!("its title matches {}", quoted(&words)));
    } else if !query.text.trim().is_empty() {
        why.push("close in meaning to what you asked for".to_owned());
    }
    for (name, value) in &query.attributes {
        let has = offer
            .attributes
            .iter()
            .any(|(n, v)| n == name && v.eq_ignore_ascii_case(value));
        if has {
            why.push(format!("{name} {value}"));
        }
    }
    if query.filter.category.is_some() {
        why.push(format!("in {}", offer.category.replace('-', " ")));
    }
    if query.filter.max_price.is_some() || query.filter.min_price.is_some() {
        why.push("within your price range".to_owned());
    }
    if query.cheap && position == 0 {
        why.push("the cheapest good match".to_owned());
    }
    why.push(match offer.available {
        0 => "currently out of stock".to_owned(),
        n if n < 5 => format!("only {n} left"),
        _ => "in stock".to_owned(),
    });
    why
}

fn quoted(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| format!("“{w}”"))
        .collect::<Vec<_>>()
        .join(" and ")
}

/// The answer to cart requests: each `(title, quantity, outcome)` says what
/// was added or why it could not be.
pub fn cart_outcomes(outcomes: &[(String, u32, Result<(), String>)]) -> String {
    let mut lines = Vec::new();
    for (title, quantity, outcome) in outcomes {
        lines.push(match outcome {
            Ok(()) => format!("Added {quantity} × {title} to your cart."),
            Err(reason) => format!("I could not add {title} to your cart: {reason}."),
        });
    }
    if lines.is_empty() {
        return "There was nothing to add to your cart.".to_owned();
    }
    lines.join(" ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn offer(title: &str) -> Offer {
        Offer {
            id: Uuid::new_v4(),
            title: title.to_owned(),
            price: Money::new(1999, Currency::USD).unwrap(),
            category: "audio".to_owned(),
            attributes: vec![("colour".to_owned(), "Red".to_owned())],
            available: 3,
        }
    }

    #[test]
    fn answers_name_only_the_offers_and_say_why() {
        let mut query = Query {
            text: "wireless headphones".to_owned(),
            attributes: vec![("colour".to_owned(), "red".to_owned())],
            ..Query::default()
        };
        query.filter.max_price = Some(5000);
        let answer = results(
            &query,
            &[offer("Pulse Wireless Headphones, Red")],
            Currency::USD,
        );
        assert!(
            answer.contains("Pulse Wireless Headphones, Red — 19.99 USD"),
            "{answer}"
        );
        assert!(answer.contains("colour red"), "{answer}");
        assert!(answer.contains("up to 50.00 USD"), "{answer}");
        assert!(answer.contains("only 3 left"), "{answer}");
        let none = results(&query, &[], Currency::USD);
        assert!(none.starts_with("Sorry, nothing"), "{none}");
    }
}
