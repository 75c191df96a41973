//! Amounts of money as written: "$12.50", "50 dollars", "30€", "1.5k",
//! "fifty bucks", and their value in a currency's minor units.

use super::tokens::{Kind, Tokens, number_word};

/// After a bare number these make it a measure, not money.
const UNITS: &[&str] = &[
    "%", "kg", "g", "lb", "lbs", "oz", "ml", "l", "litre", "litres", "liter", "liters", "cm", "mm",
    "m", "km", "inch", "inches", "ft", "feet", "year", "years", "yr", "yrs", "month", "months",
    "week", "weeks", "day", "days", "hour", "hours", "hr", "hrs", "minute", "minutes", "min",
    "mins", "w", "watt", "watts", "v", "volt", "volts", "mah", "gb", "tb", "mb", "people",
    "persons", "players", "pieces", "pcs", "cups", "pack", "x",
];
/// An amount as written, before it is scaled to a currency's minor unit.
#[derive(Clone)]
pub(crate) struct Amount {
    pub(crate) end: usize,
    pub(crate) whole: i64,
    pub(crate) fraction: String,
    pub(crate) multiplier: i64,
    pub(crate) currency: Option<&'static str>,
}

/// `[symbol] number [k] [symbol | currency word]` at token `i`.
pub(crate) fn amount_at(tokens: &Tokens<'_>, i: usize) -> Option<Amount> {
    let mut at = i;
    let mut currency = None;
    if let Some(t) = tokens.free(at).filter(|t| t.kind == Kind::Currency) {
        currency = symbol_currency(&t.text);
        at += 1;
    }
    let number = tokens.free(at)?;
    let (whole, fraction) = match number.kind {
        Kind::Number => split_decimal(&number.text)?,
        Kind::Word => (i64::from(number_word(&number.text)?), String::new()),
        _ => return None,
    };
    at += 1;
    let mut multiplier = 1;
    if tokens.adjacent(at - 1) && tokens.free(at).is_some_and(|t| t.is("k")) {
        multiplier = 1000;
        at += 1;
    }
    if let Some(t) = tokens.free(at) {
        let trailing = match t.kind {
            Kind::Currency => symbol_currency(&t.text),
            Kind::Word => word_currency(&t.text),
            _ => None,
        };
        if trailing.is_some() {
            currency = currency.or(trailing);
            at += 1;
        } else if currency.is_none() && t.is_any(UNITS) {
            return None;
        }
    }
    if number.kind == Kind::Word && currency.is_none() {
        // "from one friend to another" is not a price.
        return None;
    }
    Some(Amount {
        end: at,
        whole,
        fraction,
        multiplier,
        currency,
    })
}

fn split_decimal(text: &str) -> Option<(i64, String)> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let whole = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    Some((whole, fraction.to_owned()))
}

fn symbol_currency(symbol: &str) -> Option<&'static str> {
    match symbol {
        "$" => Some("USD"),
        "€" => Some("EUR"),
        "£" => Some("GBP"),
        "¥" => Some("JPY"),
        _ => None,
    }
}

fn word_currency(word: &str) -> Option<&'static str> {
    match word {
        "dollar" | "dollars" | "buck" | "bucks" | "usd" => Some("USD"),
        "euro" | "euros" | "eur" => Some("EUR"),
        "pound" | "pounds" | "quid" | "gbp" => Some("GBP"),
        "yen" | "jpy" => Some("JPY"),
        _ => None,
    }
}

/// The amount in minor units of a currency with `exponent` decimals; `None`
/// on overflow. Extra decimals are dropped.
pub(crate) fn to_minor(amount: &Amount, exponent: u8) -> Option<i64> {
    let scale = 10i64.checked_pow(u32::from(exponent))?;
    let digits: String = amount
        .fraction
        .chars()
        .chain(std::iter::repeat('0'))
        .take(usize::from(exponent))
        .collect();
    let fraction: i64 = if digits.is_empty() {
        0
    } else {
        digits.parse().ok()?
    };
    amount
        .whole
        .checked_mul(scale)?
        .checked_add(fraction)?
        .checked_mul(amount.multiplier)
}
