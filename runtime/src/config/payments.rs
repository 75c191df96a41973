//! The `[payments]` section: which provider takes the money, and Stripe's
//! keys when it is Stripe.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::{ConfigError, invalid};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderName {
    /// Needs nothing; behaves like Stripe's test mode.
    Sandbox,
    Stripe,
}

impl ProviderName {
    /// As in the config, in metrics and in the provider's `name()`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sandbox => "sandbox",
            Self::Stripe => "stripe",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentsConfig {
    pub provider: ProviderName,
    pub stripe: StripeConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StripeConfig {
    /// `sk_live_…` or `sk_test_…` (a restricted `rk_…` key works too).
    pub secret_key: SecretString,
    /// `pk_…`: what buyers' clients confirm payments with (Stripe.js).
    pub publishable_key: String,
    /// The webhook endpoint's signing secrets (`whsec_…`): one, or a list
    /// while rotating (an event signed with any of them is accepted).
    pub webhook_secret: Secrets,
    /// Stripe's API; tests point it at a local server.
    pub api_base: String,
    /// How long one request to Stripe may take.
    pub timeout_ms: u64,
    /// The recurring Price (or Plan) each paid membership tier subscribes
    /// to; memberships are sold once both are set.
    pub plans: StripePlans,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StripePlans {
    pub plus: String,
    pub premium: String,
}

impl StripeConfig {
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }
}

/// One secret or several.
#[derive(Clone, Deserialize)]
#[serde(untagged)]
pub enum Secrets {
    One(SecretString),
    Many(Vec<SecretString>),
}

impl Secrets {
    /// The non-empty ones.
    pub fn all(&self) -> Vec<SecretString> {
        let all = match self {
            Self::One(one) => vec![one.clone()],
            Self::Many(many) => many.clone(),
        };
        all.into_iter()
            .filter(|s| !s.expose_secret().trim().is_empty())
            .collect()
    }
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{} secrets, redacted]", self.all().len())
    }
}

pub(super) fn validate(payments: &PaymentsConfig) -> Result<(), ConfigError> {
    let stripe = &payments.stripe;
    if !(1_000..=120_000).contains(&stripe.timeout_ms) {
        return Err(invalid(
            "payments.stripe.timeout_ms",
            "must be between 1000 and 120000",
        ));
    }
    let base = stripe.api_base.trim();
    if !(base.starts_with("https://") || base.starts_with("http://")) {
        return Err(invalid(
            "payments.stripe.api_base",
            "must be an http(s) URL, e.g. https://api.stripe.com/",
        ));
    }
    if payments.provider != ProviderName::Stripe {
        return Ok(());
    }
    let key = stripe.secret_key.expose_secret().trim();
    if !(key.starts_with("sk_") || key.starts_with("rk_")) {
        return Err(invalid(
            "payments.stripe.secret_key",
            "must be a Stripe secret key (sk_… or rk_…) when payments.provider = \"stripe\"",
        ));
    }
    if !stripe.publishable_key.trim().starts_with("pk_") {
        return Err(invalid(
            "payments.stripe.publishable_key",
            "must be a Stripe publishable key (pk_…): buyers' clients confirm payments with it",
        ));
    }
    let secrets = stripe.webhook_secret.all();
    if secrets.is_empty() {
        return Err(invalid(
            "payments.stripe.webhook_secret",
            "must be set (whsec_…, or a list while rotating): Stripe's webhooks are what \
             marks an order paid",
        ));
    }
    Ok(())
}
