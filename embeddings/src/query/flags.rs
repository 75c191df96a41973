//! Yes/no wishes: "in stock", "cheap".

use super::tokens::Tokens;

const IN_STOCK: &[&[&str]] = &[
    &["available", "right", "now"],
    &["ready", "to", "ship"],
    &["in", "stock"],
    &["instock"],
    &["available", "now"],
    &["available", "today"],
    &["available", "immediately"],
    &["ships", "today"],
    &["ships", "now"],
];

const CHEAP: &[&[&str]] = &[
    &["on", "a", "budget"],
    &["low", "cost"],
    &["low", "priced"],
    &["not", "too", "expensive"],
    &["not", "expensive"],
    &["cheap"],
    &["cheaper"],
    &["cheapest"],
    &["inexpensive"],
    &["affordable"],
    &["budget"],
    &["bargain"],
    &["economical"],
];

/// Consumes stock phrases; true when the shopper wants only what is in stock.
pub(crate) fn take_in_stock(tokens: &mut Tokens<'_>) -> bool {
    take_any(tokens, IN_STOCK)
}

/// Consumes "cheap" and its synonyms; true when any was there.
pub(crate) fn take_cheap(tokens: &mut Tokens<'_>) -> bool {
    take_any(tokens, CHEAP)
}

fn take_any(tokens: &mut Tokens<'_>, phrases: &[&[&str]]) -> bool {
    let mut found = false;
    let mut i = 0;
    while i < tokens.len() {
        match tokens.any_phrase_at(i, phrases) {
            Some(end) => {
                tokens.consume(i..end);
                found = true;
                i = end;
            }
            None => i += 1,
        }
    }
    found
}
