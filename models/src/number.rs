//! Whole numbers as JSON may send them: `3` or `3.0`. JSON (and JSON Schema's
//! `integer`) does not tell them apart, so neither do souk's parsers.

use serde::{Deserialize, Deserializer, de};

/// A whole number read from any JSON number without a fractional part that
/// fits an `i64`; `3.5`, `1e300` and strings are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WholeNumber(pub i64);

impl<'de> Deserialize<'de> for WholeNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(Visitor)
    }
}

struct Visitor;

/// `i64::MAX as f64` rounds up to 2^63, which does not fit.
const LIMIT: f64 = 9_223_372_036_854_775_808.0;

impl de::Visitor<'_> for Visitor {
    type Value = WholeNumber;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a whole number")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<WholeNumber, E> {
        Ok(WholeNumber(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<WholeNumber, E> {
        i64::try_from(v)
            .map(WholeNumber)
            .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<WholeNumber, E> {
        if v.fract() == 0.0 && (-LIMIT..LIMIT).contains(&v) {
            Ok(WholeNumber(v as i64))
        } else {
            Err(E::invalid_value(de::Unexpected::Float(v), &self))
        }
    }
}

impl From<WholeNumber> for i64 {
    fn from(value: WholeNumber) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Option<i64> {
        serde_json::from_str::<WholeNumber>(json)
            .ok()
            .map(i64::from)
    }

    #[test]
    fn integral_numbers_in_any_notation() {
        assert_eq!(parse("3"), Some(3));
        assert_eq!(parse("-3"), Some(-3));
        assert_eq!(parse("3.0"), Some(3));
        assert_eq!(parse("1e3"), Some(1000));
        assert_eq!(parse("3.5"), None);
        assert_eq!(parse("1e300"), None);
        assert_eq!(parse("18446744073709551615"), None);
        assert_eq!(parse("\"3\""), None);
        assert_eq!(parse("null"), None);
    }
}
