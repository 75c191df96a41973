//! Shipping addresses saved by a shopper.

use serde::{Deserialize, Serialize};

use crate::{AddressId, BoundedText, ParseError, Timestamp, UserId};

/// A validated shipping address as a client submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "RawAddress", deny_unknown_fields)]
pub struct AddressInput {
    /// Recipient name.
    #[schema(schema_with = schemas::name)]
    pub name: String,
    #[schema(schema_with = schemas::line1)]
    pub line1: String,
    #[schema(schema_with = schemas::line2)]
    pub line2: Option<String>,
    #[schema(schema_with = schemas::city)]
    pub city: String,
    #[schema(schema_with = schemas::region)]
    pub region: Option<String>,
    #[schema(schema_with = schemas::postal_code)]
    pub postal_code: String,
    /// ISO 3166-1 alpha-2, upper case.
    #[schema(example = "GB", pattern = "^[A-Z]{2}$")]
    pub country: String,
    /// Digits, spaces and `+-().`, with at least five digits; only spaces
    /// (or `null`) means none.
    #[schema(schema_with = schemas::phone)]
    pub phone: Option<String>,
}

/// Field schemas: the same bounds the parser below checks.
mod schemas {
    use utoipa::openapi::schema::Object;

    use crate::schema::{optional_text, text};

    fn example(mut schema: Object, value: &str) -> Object {
        schema.examples = vec![serde_json::json!(value)];
        schema
    }

    pub fn name() -> Object {
        example(text(1, 100), "Ada Lovelace")
    }

    pub fn line1() -> Object {
        example(text(1, 200), "12 Market Street")
    }

    pub fn line2() -> Object {
        optional_text(200)
    }

    pub fn city() -> Object {
        example(text(1, 100), "London")
    }

    pub fn region() -> Object {
        optional_text(100)
    }

    pub fn postal_code() -> Object {
        example(text(1, 20), "EC1A 1BB")
    }

    pub fn phone() -> Object {
        let mut schema = optional_text(super::PHONE_MAX);
        schema.pattern = Some(r"^ *$|^[ +().\-]*(?:[0-9][ +().\-]*){5,}$".to_owned());
        example(schema, "+44 20 7946 0958")
    }
}

/// Longest phone number, in characters.
const PHONE_MAX: usize = 32;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAddress {
    name: String,
    line1: String,
    line2: Option<String>,
    city: String,
    region: Option<String>,
    postal_code: String,
    country: String,
    phone: Option<String>,
}

/// An optional line: blank (or `null`) is none.
fn optional(field: &str, raw: Option<String>, max: usize) -> Result<Option<String>, ParseError> {
    match raw {
        Some(v) => BoundedText::parse(field, &v, 0, max).map(|v| Some(v).filter(|v| !v.is_empty())),
        None => Ok(None),
    }
}

/// A phone number as sent: only spaces (or `null`) is none.
fn phone(raw: Option<String>) -> Result<Option<String>, ParseError> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    if raw.chars().count() > PHONE_MAX {
        return Err(ParseError::new(format!(
            "phone must be at most {PHONE_MAX} characters"
        )));
    }
    if raw.chars().all(|c| c == ' ') {
        return Ok(None);
    }
    let digits = raw.chars().filter(char::is_ascii_digit).count();
    if digits < 5
        || !raw
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c))
    {
        return Err(ParseError::new("phone must be a phone number"));
    }
    Ok(Some(raw.trim().to_owned()))
}

impl TryFrom<RawAddress> for AddressInput {
    type Error = ParseError;
    fn try_from(raw: RawAddress) -> Result<Self, Self::Error> {
        let country = raw.country;
        if country.len() != 2 || !country.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(ParseError::new(
                "country must be an ISO 3166-1 alpha-2 code in upper case, e.g. GB",
            ));
        }
        Ok(Self {
            name: BoundedText::parse("name", &raw.name, 1, 100)?,
            line1: BoundedText::parse("line1", &raw.line1, 1, 200)?,
            line2: optional("line2", raw.line2, 200)?,
            city: BoundedText::parse("city", &raw.city, 1, 100)?,
            region: optional("region", raw.region, 100)?,
            postal_code: BoundedText::parse("postal_code", &raw.postal_code, 1, 20)?,
            country,
            phone: phone(raw.phone)?,
        })
    }
}

/// A saved address, owned by one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Address {
    pub id: AddressId,
    pub user_id: UserId,
    #[serde(flatten)]
    pub fields: AddressInput,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<AddressInput, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn valid_address_is_trimmed() {
        let a = parse(
            r#"{"name":" Ada ","line1":"1 Road","city":"Paris","postal_code":"75001","country":"FR","line2":"  "}"#,
        );
        let a = a.ok();
        assert_eq!(a.as_ref().map(|a| a.name.as_str()), Some("Ada"));
        assert_eq!(a.and_then(|a| a.line2), None);
    }

    #[test]
    fn the_phone_pattern_accepts_what_the_parser_accepts() {
        let schema = schemas::phone();
        let pattern =
            regex::Regex::new(schema.pattern.as_deref().expect("a pattern")).expect("a pattern");
        for s in [
            "",
            "   ",
            "\t",
            "12345",
            "1234",
            " 12345 ",
            "+44 (20) 7946-0958.",
            "12a45",
            "\t12345",
            "1 2 3 4",
            "+1 555 0100 0100 0100 0100 0100 0",
            "123456789012345678901234567890123",
        ] {
            let documented = pattern.is_match(s) && s.chars().count() <= PHONE_MAX;
            assert_eq!(documented, phone(Some(s.to_owned())).is_ok(), "{s:?}");
        }
    }

    #[test]
    fn invalid_addresses_are_rejected() {
        for bad in [
            r#"{"name":"","line1":"1 Road","city":"Paris","postal_code":"75001","country":"FR"}"#,
            r#"{"name":"A","line1":"1 Road","city":"Paris","postal_code":"75001","country":"fra"}"#,
            r#"{"name":"A","line1":"1 Road","city":"Paris","postal_code":"75001","country":"fr"}"#,
            r#"{"name":"A","line1":"1 Road","city":"Paris","postal_code":"75001","country":"FR","phone":"call me"}"#,
            r#"{"name":"A","line1":"1 Road","city":"Paris","postal_code":"75001","country":"FR","extra":1}"#,
            r#"{"name":"A","city":"Paris","postal_code":"75001","country":"FR"}"#,
            r#"{"name":"A","line1":"1 Road","city":"Paris","postal_code":"75001","country":" FR"}"#,
            r#"{"name":"A","line1":"1 Road","city":"Paris","postal_code":"75001","country":"FR","phone":"\t12345"}"#,
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
