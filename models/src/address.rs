//! Shipping addresses saved by a shopper.

use serde::{Deserialize, Serialize};

use crate::{AddressId, BoundedText, ParseError, Timestamp, UserId};

/// A validated shipping address as a client submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "RawAddress")]
pub struct AddressInput {
    /// Recipient name.
    #[schema(example = "Ada Lovelace", max_length = 100)]
    pub name: String,
    #[schema(example = "12 Market Street", max_length = 200)]
    pub line1: String,
    #[schema(max_length = 200)]
    pub line2: Option<String>,
    #[schema(example = "London", max_length = 100)]
    pub city: String,
    #[schema(max_length = 100)]
    pub region: Option<String>,
    #[schema(example = "EC1A 1BB", max_length = 20)]
    pub postal_code: String,
    /// ISO 3166-1 alpha-2, upper case.
    #[schema(example = "GB", min_length = 2, max_length = 2)]
    pub country: String,
    #[schema(example = "+44 20 7946 0958", max_length = 32)]
    pub phone: Option<String>,
}

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

fn optional(field: &str, raw: Option<String>, max: usize) -> Result<Option<String>, ParseError> {
    match raw {
        Some(v) if !v.trim().is_empty() => BoundedText::parse(field, &v, 1, max).map(Some),
        _ => Ok(None),
    }
}

impl TryFrom<RawAddress> for AddressInput {
    type Error = ParseError;
    fn try_from(raw: RawAddress) -> Result<Self, Self::Error> {
        let country = raw.country.trim().to_owned();
        if country.len() != 2 || !country.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(ParseError::new(
                "country must be an ISO 3166-1 alpha-2 code in upper case, e.g. GB",
            ));
        }
        let phone = optional("phone", raw.phone, 32)?;
        if let Some(p) = &phone {
            let digits = p.chars().filter(char::is_ascii_digit).count();
            if digits < 5
                || !p
                    .chars()
                    .all(|c| c.is_ascii_digit() || " +-().".contains(c))
            {
                return Err(ParseError::new("phone must be a phone number"));
            }
        }
        Ok(Self {
            name: BoundedText::parse("name", &raw.name, 1, 100)?,
            line1: BoundedText::parse("line1", &raw.line1, 1, 200)?,
            line2: optional("line2", raw.line2, 200)?,
            city: BoundedText::parse("city", &raw.city, 1, 100)?,
            region: optional("region", raw.region, 100)?,
            postal_code: BoundedText::parse("postal_code", &raw.postal_code, 1, 20)?,
            country,
            phone,
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
    fn invalid_addresses_are_rejected() {
        for bad in [
            r#"{"name":"","line1":"1 Road","city":"Paris","postal_code":"75001","country":"FR"}"#,
            r#"{"name":"A","line1":"1 Road","city":"Paris","postal_code":"75001","country":"fra"}"#,
            r#"{"name":"A","line1":"1 Road","city":"Paris","postal_code":"75001","country":"fr"}"#,
            r#"{"name":"A","line1":"1 Road","city":"Paris","postal_code":"75001","country":"FR","phone":"call me"}"#,
            r#"{"name":"A","line1":"1 Road","city":"Paris","postal_code":"75001","country":"FR","extra":1}"#,
            r#"{"name":"A","city":"Paris","postal_code":"75001","country":"FR"}"#,
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
