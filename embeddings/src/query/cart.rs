//! Cart requests in a conversation: "add the second one to my cart".
//!
//! Cart requests need a verb (add, put, buy, take, grab, order, get) plus
//! either a reference to shown items or a cart word (cart, basket, bag). How
//! references are read:
//!
//! | message | pick | quantity |
//! | --- | --- | --- |
//! | "add the second one", "add #2", "add item 2", "add the 2nd" | `Nth(2)` | 1 |
//! | "add the last one" | `Last` | 1 |
//! | "add the first two", "add the top 3" | `FirstN(n)`: one of each | 1 |
//! | "add the last two" | `LastN(2)` | 1 |
//! | "add the first and third" | `Several([1, 3])` | 1 |
//! | "add both" | `FirstN(2)` | 1 |
//! | "add all of them", "add those", "add them" | `All` | 1 |
//! | "add it", "add this one", "add that", "add one to my cart" | `Current`: the item in focus | 1 |
//! | "add 2 of those", "add 2", "add a couple" | `Current` | 2 |
//! | "add two of the first one" | `Nth(1)` | 2 |
//!
//! A bare count is a quantity, not a position: "add 2" is two of the item in
//! focus; "add number 2" is the second item.

use super::tokens::{Kind, Tokens, number_word};

/// Which shown items a cart request means; positions are 1-based.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    /// The item at this position.
    Nth(usize),
    /// The items at these positions.
    Several(Vec<usize>),
    /// The first `n` items.
    FirstN(usize),
    /// The last `n` items.
    LastN(usize),
    /// The last item shown.
    Last,
    /// Every item shown.
    All,
    /// The item in focus ("it", "this one", "those" with a count).
    Current,
}

/// "Put these items in my cart."
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartIntent {
    /// Which shown items.
    pub pick: Pick,
    /// How many of each.
    pub quantity: u32,
}

const CART_VERBS: &[&str] = &["add", "put", "buy", "take", "grab", "order", "get"];
const CART_WORDS: &[&str] = &["cart", "basket", "bag", "trolley"];
const ORDINALS: &[&str] = &[
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
];
const POSITION_NOUNS: &[&str] = &["number", "no", "item", "option", "product", "result", "#"];
const QUANTITY_NOUNS: &[&str] = &[
    "of", "x", "more", "units", "pieces", "items", "copies", "pcs",
];
/// "one" alone is not here: "get me a red one" is a search, not a cart request.
const SINGULAR_REFS: &[&str] = &["it", "this", "that"];
const PLURAL_REFS: &[&str] = &["those", "these", "them"];
/// References found in a cart request.
#[derive(Default)]
struct Refs {
    positions: Vec<usize>,
    last: bool,
    first_n: Option<usize>,
    last_n: Option<usize>,
    all: bool,
    plural: bool,
    singular: bool,
    quantity: Option<u32>,
}

pub(crate) fn cart_intent(tokens: &Tokens<'_>) -> Option<CartIntent> {
    let verb = (0..tokens.len()).find(|&i| tokens.get(i).is_some_and(|t| t.is_any(CART_VERBS)))?;
    let refs = read_refs(tokens, verb + 1);
    let has_cart_word = tokens.list.iter().any(|t| t.is_any(CART_WORDS));
    let has_ref = !refs.positions.is_empty()
        || refs.last
        || refs.first_n.is_some()
        || refs.last_n.is_some()
        || refs.all
        || refs.plural
        || refs.singular
        || refs.quantity.is_some();
    if !has_ref && !has_cart_word {
        return None;
    }
    let pick = if let Some(n) = refs.first_n {
        Pick::FirstN(n)
    } else if let Some(n) = refs.last_n {
        Pick::LastN(n)
    } else if refs.positions.len() > 1 {
        Pick::Several(refs.positions)
    } else if let Some(&n) = refs.positions.first() {
        Pick::Nth(n)
    } else if refs.last {
        Pick::Last
    } else if refs.all || (refs.plural && refs.quantity.is_none()) {
        Pick::All
    } else {
        Pick::Current
    };
    Some(CartIntent {
        pick,
        quantity: refs.quantity.unwrap_or(1).max(1),
    })
}

fn read_refs(tokens: &Tokens<'_>, from: usize) -> Refs {
    let mut refs = Refs::default();
    let mut i = from;
    while let Some(token) = tokens.get(i) {
        let next = tokens.get(i + 1);
        let count_after = count_at(tokens, i + 1);
        if token.is_any(&["first", "top"]) && count_after.is_some() {
            refs.first_n = count_after.map(|(n, _)| n as usize);
            i = count_after.map_or(i + 1, |(_, end)| end);
            continue;
        }
        if token.is("last") && count_after.is_some() {
            refs.last_n = count_after.map(|(n, _)| n as usize);
            i = count_after.map_or(i + 1, |(_, end)| end);
            continue;
        }
        if let Some(n) = ORDINALS.iter().position(|o| token.is(o)) {
            refs.positions.push(n + 1);
        } else if token.is("last") {
            refs.last = true;
        } else if token.kind == Kind::Number
            && tokens.adjacent(i)
            && next.is_some_and(|t| t.is_any(&["st", "nd", "rd", "th"]))
        {
            refs.positions.extend(whole_number(&token.text));
            i += 2;
            continue;
        } else if token.is_any(POSITION_NOUNS)
            && next.is_some_and(|t| t.kind == Kind::Number)
            && let Some(n) = next.and_then(|t| whole_number(&t.text))
        {
            refs.positions.push(n);
            i += 2;
            continue;
        } else if token.is("both") {
            refs.first_n = Some(2);
        } else if token.is_any(&["all", "everything"]) {
            refs.all = true;
        } else if token.is_any(PLURAL_REFS) {
            refs.plural = true;
        } else if token.is_any(SINGULAR_REFS) {
            refs.singular = true;
        } else if let Some((n, end)) = count_at(tokens, i) {
            let follows_verb = i == from;
            let noun_after = tokens.get(end).is_some_and(|t| t.is_any(QUANTITY_NOUNS));
            if follows_verb || noun_after {
                refs.quantity = Some(n);
                i = end;
                continue;
            }
        }
        i += 1;
    }
    refs
}

/// A count at `i`: digits, a number word other than "one", "a couple/pair".
fn count_at(tokens: &Tokens<'_>, i: usize) -> Option<(u32, usize)> {
    let token = tokens.get(i)?;
    if token.is_any(&["a", "another"]) {
        return match count_at(tokens, i + 1) {
            Some((n, end)) if tokens.get(i + 1).is_some_and(|t| t.kind == Kind::Word) => {
                Some((n, end))
            }
            _ if token.is("another") => Some((1, i + 1)),
            _ => None,
        };
    }
    let n = match token.kind {
        Kind::Number
            if !tokens.adjacent(i) || tokens.get(i + 1).is_some_and(|t| t.kind != Kind::Word) =>
        {
            u32::try_from(whole_number(&token.text)?).ok()?
        }
        Kind::Word if !token.is("one") => number_word(&token.text)?,
        _ => return None,
    };
    (n > 0).then_some((n, i + 1))
}

fn whole_number(text: &str) -> Option<usize> {
    text.parse().ok()
}
