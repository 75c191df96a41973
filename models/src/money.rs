//! Money as integer minor units with a currency; never floats.

use serde::{Deserialize, Serialize};

use crate::{ParseError, WholeNumber};

/// An ISO 4217 currency code that souk knows the minor unit of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "USD")]
pub struct Currency([u8; 3]);

/// Codes and their minor-unit exponents (ISO 4217).
const CURRENCIES: &[(&str, u8)] = &[
    ("AUD", 2),
    ("BRL", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CNY", 2),
    ("CZK", 2),
    ("DKK", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("INR", 2),
    ("JPY", 0),
    ("KRW", 0),
    ("MAD", 2),
    ("MXN", 2),
    ("NOK", 2),
    ("NZD", 2),
    ("PLN", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("USD", 2),
    ("ZAR", 2),
];

impl Currency {
    pub const USD: Currency = Currency(*b"USD");

    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let code = raw.trim();
        CURRENCIES
            .iter()
            .find(|(c, _)| *c == code)
            .and_then(|(c, _)| c.as_bytes().try_into().ok())
            .map(Self)
            .ok_or_else(|| {
                ParseError::new(format!(
                    "`{code}` is not a supported ISO 4217 currency code (upper case, e.g. USD)"
                ))
            })
    }

    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// How many decimal digits the minor unit has (2 for USD, 0 for JPY).
    pub fn exponent(&self) -> u8 {
        CURRENCIES
            .iter()
            .find(|(c, _)| *c == self.code())
            .map_or(2, |(_, e)| *e)
    }
}

impl TryFrom<String> for Currency {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> Self {
        value.code().to_owned()
    }
}

impl std::fmt::Display for Currency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// An amount in minor units (cents for USD) of one currency. Amounts are never
/// negative and at most [`Money::MAX_MINOR`], so sums of many lines cannot overflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "RawMoney", deny_unknown_fields)]
pub struct Money {
    /// Integer minor units, e.g. 1999 for $19.99.
    #[schema(minimum = 0, maximum = 100_000_000_000_i64, example = 1999)]
    amount: i64,
    currency: Currency,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMoney {
    amount: WholeNumber,
    currency: Currency,
}

impl TryFrom<RawMoney> for Money {
    type Error = ParseError;
    fn try_from(raw: RawMoney) -> Result<Self, Self::Error> {
        Money::new(raw.amount.0, raw.currency)
    }
}

impl Money {
    /// One billion major units: far above any real price, far below overflow.
    pub const MAX_MINOR: i64 = 100_000_000_000;

    pub fn new(amount: i64, currency: Currency) -> Result<Self, ParseError> {
        if amount < 0 {
            return Err(ParseError::new("amount must not be negative"));
        }
        if amount > Self::MAX_MINOR {
            return Err(ParseError::new(format!(
                "amount must be at most {} minor units",
                Self::MAX_MINOR
            )));
        }
        Ok(Self { amount, currency })
    }

    pub fn zero(currency: Currency) -> Self {
        Self {
            amount: 0,
            currency,
        }
    }

    pub fn amount(&self) -> i64 {
        self.amount
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// `self × quantity`; `None` if the result leaves the allowed range.
    pub fn times(&self, quantity: u32) -> Option<Money> {
        let amount = self.amount.checked_mul(i64::from(quantity))?;
        Money::new(amount, self.currency).ok()
    }

    /// `self + other`; `None` for mixed currencies or an out-of-range sum.
    pub fn plus(&self, other: Money) -> Option<Money> {
        if self.currency != other.currency {
            return None;
        }
        Money::new(self.amount.checked_add(other.amount)?, self.currency).ok()
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let exp = u32::from(self.currency.exponent());
        if exp == 0 {
            return write!(f, "{} {}", self.amount, self.currency);
        }
        let unit = 10_i64.pow(exp);
        write!(
            f,
            "{}.{:0width$} {}",
            self.amount / unit,
            self.amount % unit,
            self.currency,
            width = exp as usize
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(amount: i64) -> Money {
        Money::new(amount, Currency::USD).expect("a valid amount")
    }

    #[test]
    fn currency_codes_are_checked() {
        assert_eq!(Currency::parse("EUR").map(|c| c.exponent()), Ok(2));
        assert_eq!(Currency::parse("JPY").map(|c| c.exponent()), Ok(0));
        for bad in ["usd", "US", "USDD", "XYZ", ""] {
            assert!(Currency::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn amounts_are_bounded() {
        assert!(Money::new(-1, Currency::USD).is_err());
        assert!(Money::new(Money::MAX_MINOR + 1, Currency::USD).is_err());
        assert!(Money::new(0, Currency::USD).is_ok());
    }

    #[test]
    fn arithmetic_stays_in_range_and_currency() {
        assert_eq!(usd(250).times(3), Some(usd(750)));
        assert_eq!(usd(Money::MAX_MINOR).times(2), None);
        assert_eq!(usd(1).plus(usd(2)), Some(usd(3)));
        let eur = Money::new(1, Currency::parse("EUR").expect("EUR is a currency"))
            .expect("a valid amount");
        assert_eq!(usd(1).plus(eur), None);
    }

    #[test]
    fn displays_in_major_units() {
        assert_eq!(usd(1999).to_string(), "19.99 USD");
        assert_eq!(usd(5).to_string(), "0.05 USD");
    }

    #[test]
    fn json_is_checked() {
        let ok: Result<Money, _> = serde_json::from_str(r#"{"amount":1999,"currency":"USD"}"#);
        assert_eq!(ok.ok(), Some(usd(1999)));
        for bad in [
            r#"{"amount":-5,"currency":"USD"}"#,
            r#"{"amount":19.99,"currency":"USD"}"#,
            r#"{"amount":5,"currency":"usd"}"#,
            r#"{"amount":5}"#,
        ] {
            assert!(serde_json::from_str::<Money>(bad).is_err(), "{bad}");
        }
    }
}
