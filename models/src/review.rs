//! Product reviews and their star rating.

use serde::{Deserialize, Serialize};

use crate::{ParseError, ProductId, ReviewId, Timestamp, UserId};

/// One to five stars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "i64", into = "u8")]
#[schema(value_type = u8, description = "1 to 5")]
pub struct Stars(u8);

impl Stars {
    pub fn new(n: i64) -> Result<Self, ParseError> {
        if (1..=5).contains(&n) {
            Ok(Self(n as u8))
        } else {
            Err(ParseError::new("stars must be between 1 and 5"))
        }
    }

    pub fn get(&self) -> u8 {
        self.0
    }
}

impl TryFrom<i64> for Stars {
    type Error = ParseError;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<Stars> for u8 {
    fn from(value: Stars) -> Self {
        value.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub id: ReviewId,
    pub product_id: ProductId,
    pub author_id: UserId,
    pub stars: Stars,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_are_one_to_five() {
        assert!(Stars::new(0).is_err());
        assert!(Stars::new(6).is_err());
        assert_eq!(Stars::new(5).map(|s| s.get()), Ok(5));
    }
}
