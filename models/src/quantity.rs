//! Counts of units: what a shopper asks for, and what a seller has in stock.

use serde::{Deserialize, Serialize};

use crate::{ParseError, WholeNumber};

/// Units of one product on one cart or order line: 1 to [`Quantity::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "WholeNumber", into = "u32")]
pub struct Quantity(u32);

impl utoipa::PartialSchema for Quantity {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::schema::integer(1, Self::MAX.into(), "1 to 999 units").into()
    }
}

impl utoipa::ToSchema for Quantity {}

impl Quantity {
    pub const MAX: u32 = 999;

    pub fn new(n: i64) -> Result<Self, ParseError> {
        if n < 1 || n > i64::from(Self::MAX) {
            return Err(ParseError::new(format!(
                "quantity must be between 1 and {}",
                Self::MAX
            )));
        }
        Ok(Self(n as u32))
    }

    pub fn get(&self) -> u32 {
        self.0
    }
}

impl TryFrom<WholeNumber> for Quantity {
    type Error = ParseError;
    fn try_from(value: WholeNumber) -> Result<Self, Self::Error> {
        Self::new(value.0)
    }
}

impl TryFrom<i64> for Quantity {
    type Error = ParseError;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<Quantity> for u32 {
    fn from(value: Quantity) -> Self {
        value.0
    }
}

/// Units a seller has available: 0 to [`StockCount::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "WholeNumber", into = "u32")]
pub struct StockCount(u32);

impl utoipa::PartialSchema for StockCount {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::schema::integer(0, Self::MAX.into(), "0 to 1,000,000,000 units").into()
    }
}

impl utoipa::ToSchema for StockCount {}

impl StockCount {
    pub const MAX: u32 = 1_000_000_000;

    pub fn new(n: i64) -> Result<Self, ParseError> {
        if n < 0 || n > i64::from(Self::MAX) {
            return Err(ParseError::new(format!(
                "stock must be between 0 and {}",
                Self::MAX
            )));
        }
        Ok(Self(n as u32))
    }

    pub fn get(&self) -> u32 {
        self.0
    }
}

impl TryFrom<WholeNumber> for StockCount {
    type Error = ParseError;
    fn try_from(value: WholeNumber) -> Result<Self, Self::Error> {
        Self::new(value.0)
    }
}

impl TryFrom<i64> for StockCount {
    type Error = ParseError;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<StockCount> for u32 {
    fn from(value: StockCount) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantity_bounds() {
        assert!(Quantity::new(0).is_err());
        assert!(Quantity::new(-3).is_err());
        assert!(Quantity::new(1000).is_err());
        assert_eq!(Quantity::new(999).map(|q| q.get()), Ok(999));
        assert!(serde_json::from_str::<Quantity>("1.5").is_err());
        assert_eq!(
            serde_json::from_str::<Quantity>("3.0").ok(),
            Quantity::new(3).ok()
        );
        assert!(serde_json::from_str::<Quantity>("\"3\"").is_err());
    }

    #[test]
    fn stock_bounds() {
        assert_eq!(StockCount::new(0).map(|s| s.get()), Ok(0));
        assert!(StockCount::new(-1).is_err());
        assert!(StockCount::new(1_000_000_001).is_err());
        assert!(serde_json::from_str::<StockCount>("99999999999999999999").is_err());
    }
}

/// Stock of one product. `on_hand` counts every unit ever received (initial stock
/// plus restocks), so `on_hand == available + reserved + sold` always holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StockLevel {
    pub on_hand: u64,
    pub reserved: u64,
    pub sold: u64,
}

impl StockLevel {
    /// Units that can still be reserved.
    pub fn available(&self) -> u64 {
        self.on_hand.saturating_sub(self.reserved + self.sold)
    }

    /// Sets what is available to `target` by receiving or writing off units;
    /// reserved and sold units are never touched.
    pub fn with_available(self, target: StockCount) -> Self {
        Self {
            on_hand: u64::from(target.get()) + self.reserved + self.sold,
            ..self
        }
    }
}

#[cfg(test)]
mod stock_tests {
    use super::*;

    #[test]
    fn setting_available_keeps_the_invariant() {
        let level = StockLevel {
            on_hand: 10,
            reserved: 3,
            sold: 2,
        };
        assert_eq!(level.available(), 5);
        let target = StockCount::new(20).expect("a valid stock count");
        let next = level.with_available(target);
        assert_eq!(next.available(), 20);
        assert_eq!(next.on_hand, next.available() + next.reserved + next.sold);
    }
}
