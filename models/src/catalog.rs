//! The catalog: categories, products and the rules for their fields.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{BoundedText, Money, ParseError, ProductId, StockCount, Timestamp, UserId};

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, $field:literal, $min:literal, $max:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                crate::schema::text($min, $max).into()
            }
        }

        impl utoipa::ToSchema for $name {}

        impl $name {
            pub fn parse(raw: &str) -> Result<Self, ParseError> {
                BoundedText::parse($field, raw, $min, $max).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = ParseError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }
    };
}

text_type!(/// A product title: 1 to 200 characters.
    Title, "title", 1, 200);
text_type!(/// A product description: up to 5000 characters.
    Description, "description", 0, 5000);

/// A category key such as `outdoor-gear`: 2 to 48 of `a-z`, `0-9` and `-`.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "outdoor-gear", pattern = "^[a-z0-9][a-z0-9-]{1,47}$")]
pub struct CategorySlug(String);

impl CategorySlug {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let ok = (2..=48).contains(&raw.len())
            && raw
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !raw.starts_with('-');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ParseError::new(format!(
                "`{raw}` is not a category slug (2-48 of a-z, 0-9 and -)"
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CategorySlug {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CategorySlug> for String {
    fn from(value: CategorySlug) -> Self {
        value.0
    }
}

impl std::fmt::Display for CategorySlug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A browsable category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Category {
    pub slug: CategorySlug,
    #[schema(example = "Outdoor gear")]
    pub name: String,
    pub description: String,
}

/// Free-form product facts (`colour`, `size`, `brand`…): at most 32 entries, keys
/// of `a-z0-9_` up to 40 characters, values of 1 to 200 characters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    try_from = "BTreeMap<String, String>",
    into = "BTreeMap<String, String>"
)]
pub struct Attributes(BTreeMap<String, String>);

impl Attributes {
    pub const MAX_ENTRIES: usize = 32;

    pub fn parse(raw: BTreeMap<String, String>) -> Result<Self, ParseError> {
        if raw.len() > Self::MAX_ENTRIES {
            return Err(ParseError::new(format!(
                "at most {} attributes are allowed",
                Self::MAX_ENTRIES
            )));
        }
        let mut out = BTreeMap::new();
        for (key, value) in raw {
            let key_ok = (1..=40).contains(&key.len())
                && key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !key_ok {
                return Err(ParseError::new(format!(
                    "attribute name `{key}` must be 1-40 of a-z, 0-9 and _"
                )));
            }
            let value = BoundedText::parse(&format!("attribute `{key}`"), &value, 1, 200)?;
            out.insert(key, value);
        }
        Ok(Self(out))
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter()
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }
}

impl utoipa::PartialSchema for Attributes {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Type};
        let key = ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^[a-z0-9_]{1,40}$"));
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property_names(Some(key))
            .additional_properties(Some(AdditionalProperties::RefOr(
                crate::schema::text(1, 200).into(),
            )))
            .max_properties(Some(Self::MAX_ENTRIES))
            .examples([serde_json::json!({"colour": "red", "brand": "Kestrel"})])
            .into()
    }
}

impl utoipa::ToSchema for Attributes {}

impl TryFrom<BTreeMap<String, String>> for Attributes {
    type Error = ParseError;
    fn try_from(value: BTreeMap<String, String>) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl From<Attributes> for BTreeMap<String, String> {
    fn from(value: Attributes) -> Self {
        value.0
    }
}

/// An image location: an `https://` URL or a path under `/media/`, of
/// printable ASCII without `..`, as sent (no white space). Nothing serves
/// `/media/` yet: image uploads to a local directory are planned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ImageUrl(String);

impl utoipa::PartialSchema for ImageUrl {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(Some(Self::MAX))
            .pattern(Some(Self::PATTERN))
            .examples([serde_json::json!("https://cdn.example.com/p/1.jpg")])
            .into()
    }
}

impl utoipa::ToSchema for ImageUrl {}

impl ImageUrl {
    /// The longest location, in characters.
    pub const MAX: usize = 2048;
    /// What [`ImageUrl::parse`] accepts, within [`ImageUrl::MAX`]: a prefix,
    /// then printable ASCII in which no two dots follow each other.
    pub const PATTERN: &str =
        r"^(?:https://|/media/)(?:\.|\.?(?:[\u0021-\u002D\u002F-\u007E]\.?)+)$";

    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let shaped = raw.starts_with("https://") && raw.len() > "https://".len()
            || raw.starts_with("/media/") && raw.len() > "/media/".len();
        let clean = raw.len() <= Self::MAX
            && !raw.contains("..")
            && raw.chars().all(|c| c.is_ascii_graphic());
        if shaped && clean {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ParseError::new(format!(
                "`{raw}` is not an https:// URL or /media/ path"
            )))
        }
    }
}

impl TryFrom<String> for ImageUrl {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ImageUrl> for String {
    fn from(value: ImageUrl) -> Self {
        value.0
    }
}

/// Whether a product can be bought. Archiving is a soft delete: orders keep
/// pointing at the product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProductStatus {
    Active,
    Archived,
}

/// Review aggregate: the sum of stars and how many reviews gave them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub stars_total: u64,
    pub count: u32,
}

impl Rating {
    /// Average stars, 0 when unreviewed.
    pub fn average(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.stars_total as f64 / f64::from(self.count)
        }
    }
}

/// A product listing owned by one seller. Its price always comes from here, never
/// from a client's cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub id: ProductId,
    pub seller_id: UserId,
    pub title: Title,
    pub description: Description,
    pub category: CategorySlug,
    pub attributes: Attributes,
    pub images: Vec<ImageUrl>,
    pub price: Money,
    pub status: ProductStatus,
    pub rating: Rating,
    /// Alert the seller when available stock drops under this many units;
    /// `None` uses the marketplace default and 0 turns the alert off.
    #[serde(default)]
    pub low_stock_threshold: Option<StockCount>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: Timestamp,
}

impl Product {
    /// Most images one listing may carry.
    pub const MAX_IMAGES: usize = 12;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(CategorySlug::parse("outdoor-gear").is_ok());
        for bad in ["", "a", "Outdoor", "-x", "a b", &"a".repeat(49)] {
            assert!(CategorySlug::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn attributes() {
        let ok = BTreeMap::from([("colour".to_owned(), " red ".to_owned())]);
        assert_eq!(
            Attributes::parse(ok)
                .ok()
                .and_then(|a| a.get("colour").map(str::to_owned)),
            Some("red".into())
        );
        let bad_key = BTreeMap::from([("Colour".to_owned(), "red".to_owned())]);
        assert!(Attributes::parse(bad_key).is_err());
        let empty_value = BTreeMap::from([("colour".to_owned(), "".to_owned())]);
        assert!(Attributes::parse(empty_value).is_err());
        let many: BTreeMap<_, _> = (0..33).map(|i| (format!("k{i}"), "v".to_owned())).collect();
        assert!(Attributes::parse(many).is_err());
    }

    #[test]
    fn image_urls() {
        assert!(ImageUrl::parse("https://cdn.example.com/a.jpg").is_ok());
        assert!(ImageUrl::parse("/media/p/a.jpg").is_ok());
        for bad in [
            "http://x.com/a.jpg",
            "javascript:alert(1)",
            "https://",
            "/media/../etc/passwd",
            "https://a b",
            " https://x.com/a.jpg",
            "/media/a..b",
        ] {
            assert!(ImageUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn titles() {
        assert!(Title::parse("").is_err());
        assert!(Title::parse(&"t".repeat(201)).is_err());
        assert!(Description::parse("").is_ok());
    }

    #[test]
    fn rating_average() {
        assert_eq!(Rating::default().average(), 0.0);
        assert_eq!(
            Rating {
                stars_total: 9,
                count: 2
            }
            .average(),
            4.5
        );
    }
}
