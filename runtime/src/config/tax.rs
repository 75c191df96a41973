//! The `[tax]` section: whether prices include tax, and the rates by
//! destination country (and optionally category).

use serde::Deserialize;
use souk_models::{CategorySlug, TaxMode, TaxRate, TaxTable};

use super::{ConfigError, invalid};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxSection {
    pub mode: TaxMode,
    pub rates: Vec<TaxRateEntry>,
}

/// One `[[tax.rates]]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxRateEntry {
    /// ISO 3166-1 alpha-2, upper case, as in addresses.
    pub country: String,
    /// A category slug; absent: every category without a rate of its own.
    pub category: Option<String>,
    /// 0 to 100, at most two decimals.
    pub percent: f64,
}

impl TaxSection {
    /// The validated table.
    pub fn table(&self) -> Result<TaxTable, ConfigError> {
        let mut rates: Vec<TaxRate> = Vec::with_capacity(self.rates.len());
        for entry in &self.rates {
            let rate = entry.rate()?;
            if rates
                .iter()
                .any(|r| r.country == rate.country && r.category == rate.category)
            {
                let what = match &entry.category {
                    Some(c) => format!("{} and category {c}", entry.country),
                    None => entry.country.clone(),
                };
                return Err(invalid("tax.rates", format!("{what} has two rates")));
            }
            rates.push(rate);
        }
        Ok(TaxTable {
            mode: self.mode,
            rates,
        })
    }
}

impl TaxRateEntry {
    fn rate(&self) -> Result<TaxRate, ConfigError> {
        let country_ok =
            self.country.len() == 2 && self.country.chars().all(|c| c.is_ascii_uppercase());
        if !country_ok {
            let message = format!("`{}` is not a country code like GB", self.country);
            return Err(invalid("tax.rates.country", message));
        }
        let category = self
            .category
            .as_deref()
            .map(CategorySlug::parse)
            .transpose()
            .map_err(|e| invalid("tax.rates.category", e.0))?;
        let basis_points = self.percent * 100.0;
        let whole = basis_points.round();
        if !(0.0..=10_000.0).contains(&basis_points) || (basis_points - whole).abs() > 1e-6 {
            let message = "must be between 0 and 100 with at most two decimals";
            return Err(invalid("tax.rates.percent", message));
        }
        Ok(TaxRate {
            country: self.country.clone(),
            category,
            basis_points: whole as u32,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(country: &str, category: Option<&str>, percent: f64) -> TaxRateEntry {
        TaxRateEntry {
            country: country.into(),
            category: category.map(str::to_owned),
            percent,
        }
    }

    fn table(rates: Vec<TaxRateEntry>) -> Result<TaxTable, String> {
        let section = TaxSection {
            mode: TaxMode::Exclusive,
            rates,
        };
        section.table().map_err(|e| e.to_string())
    }

    #[test]
    fn rates_become_basis_points_and_bad_ones_name_their_key() {
        let ok = table(vec![
            entry("GB", None, 20.0),
            entry("GB", Some("books"), 5.5),
        ]);
        let points: Vec<u32> = ok
            .map(|t| t.rates.iter().map(|r| r.basis_points).collect())
            .unwrap_or_default();
        assert_eq!(points, [2000, 550]);
        let refused = |rates| table(rates).err().unwrap_or_default();
        assert!(refused(vec![entry("gb", None, 20.0)]).contains("tax.rates.country"));
        assert!(refused(vec![entry("GB", Some("Books!"), 20.0)]).contains("tax.rates.category"));
        assert!(refused(vec![entry("GB", None, 100.5)]).contains("tax.rates.percent"));
        assert!(refused(vec![entry("GB", None, 20.125)]).contains("tax.rates.percent"));
        let twice = vec![entry("GB", None, 20.0), entry("GB", None, 5.0)];
        assert!(refused(twice).contains("GB has two rates"));
    }
}
