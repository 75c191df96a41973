//! Price phrases: "under $50", "between 20 and 40 euros", "$20-$40", "£30 or
//! less", "at least 10 EUR", "around $50". Amounts themselves are read by
//! [`super::amount`].

use souk_models::Currency;

use super::amount::{Amount, amount_at, to_minor};
use super::tokens::Tokens;
use super::vocabulary::Vocabulary;

/// Price bounds found in a message, in minor units; bounds are inclusive.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct PriceBounds {
    pub(crate) min: Option<i64>,
    pub(crate) max: Option<i64>,
    pub(crate) currency: Option<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Bound {
    Upper,
    Lower,
    Around,
}

/// Lead words, longest first so "no less than" beats "less than".
const PREFIXES: &[(&[&str], Bound)] = &[
    (&["no", "more", "than"], Bound::Upper),
    (&["not", "more", "than"], Bound::Upper),
    (&["no", "less", "than"], Bound::Lower),
    (&["not", "less", "than"], Bound::Lower),
    (&["more", "expensive", "than"], Bound::Lower),
    (&["less", "than"], Bound::Upper),
    (&["cheaper", "than"], Bound::Upper),
    (&["lower", "than"], Bound::Upper),
    (&["at", "most"], Bound::Upper),
    (&["up", "to"], Bound::Upper),
    (&["budget", "of"], Bound::Upper),
    (&["budget", "is"], Bound::Upper),
    (&["budget", ":"], Bound::Upper),
    (&["more", "than"], Bound::Lower),
    (&["greater", "than"], Bound::Lower),
    (&["higher", "than"], Bound::Lower),
    (&["pricier", "than"], Bound::Lower),
    (&["at", "least"], Bound::Lower),
    (&["starting", "at"], Bound::Lower),
    (&["upwards", "of"], Bound::Lower),
    (&["<", "="], Bound::Upper),
    (&[">", "="], Bound::Lower),
    (&["under"], Bound::Upper),
    (&["below"], Bound::Upper),
    (&["max"], Bound::Upper),
    (&["maximum"], Bound::Upper),
    (&["within"], Bound::Upper),
    (&["budget"], Bound::Upper),
    (&["<"], Bound::Upper),
    (&["≤"], Bound::Upper),
    (&["over"], Bound::Lower),
    (&["above"], Bound::Lower),
    (&["min"], Bound::Lower),
    (&["minimum"], Bound::Lower),
    (&["from"], Bound::Lower),
    (&[">"], Bound::Lower),
    (&["≥"], Bound::Lower),
    (&["around"], Bound::Around),
    (&["about"], Bound::Around),
    (&["approximately"], Bound::Around),
    (&["approx"], Bound::Around),
    (&["roughly"], Bound::Around),
    (&["~"], Bound::Around),
];

/// Words after an amount that turn it into a bound: "$30 or less", "$30+".
const SUFFIXES: &[(&[&str], Bound)] = &[
    (&["or", "less"], Bound::Upper),
    (&["or", "under"], Bound::Upper),
    (&["or", "below"], Bound::Upper),
    (&["or", "cheaper"], Bound::Upper),
    (&["at", "most"], Bound::Upper),
    (&["or", "more"], Bound::Lower),
    (&["or", "over"], Bound::Lower),
    (&["or", "above"], Bound::Lower),
    (&["and", "up"], Bound::Lower),
    (&["and", "above"], Bound::Lower),
    (&["and", "over"], Bound::Lower),
    (&["at", "least"], Bound::Lower),
    (&["max"], Bound::Upper),
    (&["maximum"], Bound::Upper),
    (&["tops"], Bound::Upper),
    (&["+"], Bound::Lower),
    (&["plus"], Bound::Lower),
    (&["minimum"], Bound::Lower),
];

const RANGE_STARTS: &[&str] = &["between", "from"];
const RANGE_JOINS: &[&str] = &["and", "to", "-", "–", "—"];
/// Words that may introduce a price phrase and go with it: "priced under …".
const LEAD_INS: &[&str] = &[
    "for", "priced", "costing", "costs", "cost", "price", "that", "which",
];
/// Before a bare number these make it an age: "toys for kids under 5".
const AGE_WORDS: &[&str] = &[
    "kid", "kids", "child", "children", "toddler", "toddlers", "baby", "babies", "age", "ages",
    "aged", "boys", "girls", "teens", "olds",
];

/// Finds and consumes every price phrase. Later bounds replace earlier ones.
pub(crate) fn take_prices(tokens: &mut Tokens<'_>, vocab: &Vocabulary) -> PriceBounds {
    let mut bounds = PriceBounds::default();
    let mut i = 0;
    while i < tokens.len() {
        match phrase_at(tokens, i) {
            Some((start, end, found)) => {
                let start = lead_in_start(tokens, start);
                tokens.consume(start..end);
                apply(&mut bounds, found, vocab);
                i = end;
            }
            None => i += 1,
        }
    }
    bounds
}

/// What one phrase said: bounds as amounts.
struct Found {
    lower: Option<Amount>,
    upper: Option<Amount>,
    around: bool,
}

fn phrase_at(tokens: &Tokens<'_>, i: usize) -> Option<(usize, usize, Found)> {
    let token = tokens.free(i)?;
    if token.is_any(RANGE_STARTS)
        && let Some((low, high)) = range_at(tokens, i + 1, false)
    {
        let end = high.end;
        return Some((
            i,
            end,
            Found {
                lower: Some(low),
                upper: Some(high),
                around: false,
            },
        ));
    }
    for (phrase, bound) in PREFIXES {
        let Some(after) = tokens.phrase_at(i, phrase) else {
            continue;
        };
        let Some(amount) = amount_at(tokens, after) else {
            continue;
        };
        if amount.currency.is_none() && about_age(tokens, i) {
            return None;
        }
        let end = amount.end;
        let found = match bound {
            Bound::Upper => Found {
                lower: None,
                upper: Some(amount),
                around: false,
            },
            Bound::Lower => Found {
                lower: Some(amount),
                upper: None,
                around: false,
            },
            Bound::Around => Found {
                lower: Some(amount.clone()),
                upper: Some(amount),
                around: true,
            },
        };
        return Some((i, end, found));
    }
    if let Some((low, high)) = range_at(tokens, i, true) {
        let end = high.end;
        return Some((
            i,
            end,
            Found {
                lower: Some(low),
                upper: Some(high),
                around: false,
            },
        ));
    }
    let amount = amount_at(tokens, i)?;
    amount.currency?;
    SUFFIXES.iter().find_map(|(phrase, bound)| {
        let end = tokens.phrase_at(amount.end, phrase)?;
        let found = match bound {
            Bound::Lower => Found {
                lower: Some(amount.clone()),
                upper: None,
                around: false,
            },
            _ => Found {
                lower: None,
                upper: Some(amount.clone()),
                around: false,
            },
        };
        Some((i, end, found))
    })
}

/// `A (and|to|-) B` from `i`; without a lead word one side needs a currency.
fn range_at(tokens: &Tokens<'_>, i: usize, bare: bool) -> Option<(Amount, Amount)> {
    let mut low = amount_at(tokens, i)?;
    if !tokens.free(low.end)?.is_any(RANGE_JOINS) {
        return None;
    }
    let mut high = amount_at(tokens, low.end + 1)?;
    if bare && low.currency.is_none() && high.currency.is_none() {
        return None;
    }
    let currency = low.currency.or(high.currency);
    low.currency = currency;
    high.currency = currency;
    Some((low, high))
}

/// Whether an age word comes shortly before token `i` ("kids under 5").
fn about_age(tokens: &Tokens<'_>, i: usize) -> bool {
    (i.saturating_sub(3)..i).any(|j| tokens.get(j).is_some_and(|t| t.is_any(AGE_WORDS)))
}

/// Widens `start` over up to two lead-in words ("that cost", "priced").
fn lead_in_start(tokens: &Tokens<'_>, mut start: usize) -> usize {
    for _ in 0..2 {
        match start.checked_sub(1) {
            Some(p) if tokens.free(p).is_some_and(|t| t.is_any(LEAD_INS)) => start = p,
            _ => break,
        }
    }
    start
}

fn apply(bounds: &mut PriceBounds, found: Found, vocab: &Vocabulary) {
    let currency = [&found.lower, &found.upper]
        .into_iter()
        .flatten()
        .find_map(|a| a.currency);
    let exponent = currency
        .and_then(|c| Currency::parse(c).ok())
        .unwrap_or(vocab.default_currency)
        .exponent();
    let lower = found.lower.and_then(|a| to_minor(&a, exponent));
    let upper = found.upper.and_then(|a| to_minor(&a, exponent));
    if found.around {
        bounds.min = lower.map(|v| v * 4 / 5);
        bounds.max = upper.map(|v| v * 6 / 5);
    } else {
        bounds.min = lower.or(bounds.min);
        bounds.max = upper.or(bounds.max);
    }
    if let (Some(min), Some(max)) = (bounds.min, bounds.max)
        && min > max
    {
        bounds.min = Some(max);
        bounds.max = Some(min);
    }
    if let Some(code) = currency {
        bounds.currency = Some(code.to_owned());
    }
}
