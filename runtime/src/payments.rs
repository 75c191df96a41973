//! The payment provider the config names: the sandbox, or Stripe with its
//! keys (checked at start, never logged).

use std::sync::Arc;

use secrecy::SecretString;
use souk_actors::PaymentProvider;
use souk_actors::SandboxPayments;
use souk_payments_stripe::{Plans, StripePayments, StripeSettings};

use crate::config::{PaymentsConfig, ProviderName};

pub fn provider(config: &PaymentsConfig) -> anyhow::Result<Arc<dyn PaymentProvider>> {
    Ok(match config.provider {
        ProviderName::Sandbox => Arc::new(SandboxPayments),
        ProviderName::Stripe => {
            let stripe = &config.stripe;
            let settings = StripeSettings {
                secret_key: SecretString::clone(&stripe.secret_key),
                publishable_key: stripe.publishable_key.trim().to_owned(),
                api_base: stripe.api_base.trim().to_owned(),
                timeout: stripe.timeout(),
                webhook_secrets: stripe.webhook_secret.all(),
                plans: Plans {
                    plus: stripe.plans.plus.trim().to_owned(),
                    premium: stripe.plans.premium.trim().to_owned(),
                },
            };
            let stripe = StripePayments::new(&settings)
                .map_err(|e| anyhow::anyhow!("cannot start the Stripe client: {e}"))?;
            Arc::new(stripe)
        }
    })
}
