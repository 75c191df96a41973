//! The `[marketplace]` section: rules every shop of the marketplace follows.

use serde::Deserialize;
use souk_models::Currency;

use super::{ConfigError, invalid};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketplaceConfig {
    pub currency: Currency,
    /// Sellers get a low-stock alert when a product's available units drop
    /// under this.
    pub low_stock_threshold: u64,
    /// Days after delivery a buyer may ask to return units; 0 takes no
    /// returns.
    pub return_window_days: u32,
    /// Days a membership keeps its tier after a failed renewal.
    pub membership_grace_days: u32,
}

impl MarketplaceConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if self.return_window_days > 365 {
            return Err(invalid(
                "marketplace.return_window_days",
                "must be between 0 and 365",
            ));
        }
        if self.membership_grace_days > 30 {
            return Err(invalid(
                "marketplace.membership_grace_days",
                "must be between 0 and 30",
            ));
        }
        Ok(())
    }
}
