//! The `[checkout]` section: lanes, limits and the payment window.

use std::time::Duration;

use serde::Deserialize;
use souk_actors::{CheckoutConfig, LaneConfig, LaneSettings};
use souk_models::{TaxTable, Tier};

use super::{ConfigError, invalid};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaneEntry {
    pub name: String,
    pub weight: u32,
    pub capacity: usize,
    pub tiers: Vec<Tier>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckoutSection {
    pub wait_ms: u64,
    pub max_in_flight: usize,
    pub starvation_ms: u64,
    pub payment_window_secs: u64,
    /// The buyer of an unpaid order is mailed this long before its
    /// deadline; 0, or not less than the payment window: not.
    pub expiry_warning_secs: u64,
    pub lanes: Vec<LaneEntry>,
}

impl CheckoutSection {
    /// Checks every lane and limit, naming the key at fault.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let c = self;
        if c.wait_ms > 30_000 {
            return Err(invalid("checkout.wait_ms", "must be at most 30000"));
        }
        if !(1..=10_000).contains(&c.max_in_flight) {
            return Err(invalid(
                "checkout.max_in_flight",
                "must be between 1 and 10000",
            ));
        }
        if !(5..=86_400).contains(&c.payment_window_secs) {
            return Err(invalid(
                "checkout.payment_window_secs",
                "must be between 5 and 86400",
            ));
        }
        if c.expiry_warning_secs > 86_400 {
            return Err(invalid(
                "checkout.expiry_warning_secs",
                "must be at most 86400 (0: no warning)",
            ));
        }
        if c.lanes.is_empty() {
            return Err(invalid("checkout.lanes", "at least one lane is needed"));
        }
        let mut names = std::collections::HashSet::new();
        for (i, lane) in c.lanes.iter().enumerate() {
            let key = |field: &str| format!("checkout.lanes[{i}].{field}");
            let name_ok = !lane.name.is_empty()
                && lane.name.len() <= 32
                && lane.name.chars().all(|ch| {
                    ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-' || ch == '_'
                });
            if !name_ok {
                return Err(invalid(&key("name"), "must be 1-32 of a-z, 0-9, - and _"));
            }
            if !names.insert(lane.name.as_str()) {
                return Err(invalid(
                    &key("name"),
                    format!("lane `{}` is listed twice", lane.name),
                ));
            }
            if !(1..=1000).contains(&lane.weight) {
                return Err(invalid(&key("weight"), "must be between 1 and 1000"));
            }
            if !(1..=10_000_000).contains(&lane.capacity) {
                return Err(invalid(&key("capacity"), "must be between 1 and 10000000"));
            }
        }
        Ok(())
    }

    /// The checkout queue's settings.
    pub fn settings(&self, call_timeout: Duration, taxes: TaxTable) -> CheckoutConfig {
        let c = self;
        CheckoutConfig {
            lanes: c
                .lanes
                .iter()
                .map(|l| LaneSettings {
                    lane: LaneConfig {
                        name: l.name.clone(),
                        weight: l.weight,
                        capacity: l.capacity,
                    },
                    tiers: l.tiers.clone(),
                })
                .collect(),
            max_in_flight: c.max_in_flight,
            starvation: Duration::from_millis(c.starvation_ms),
            wait: Duration::from_millis(c.wait_ms),
            payment_window: Duration::from_secs(c.payment_window_secs),
            expiry_warning: Duration::from_secs(c.expiry_warning_secs),
            call_timeout,
            taxes,
        }
    }
}
