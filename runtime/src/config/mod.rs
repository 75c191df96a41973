//! Typed, layered configuration: the built-in `config/default.toml`, then
//! `config/$SOUK_ENV.toml`, then `SOUK__SECTION__KEY` environment variables.
//! Validated at start-up; an error names the offending key.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use souk_gateway::config::{
    AssistantConfig, AuthConfig, GatewayConfig, HttpConfig, RateLimitConfig, WebSocketConfig,
};
use souk_gateway::listener::ConnectionLimits;

mod assistant;
mod checkout;
mod cluster;
mod layers;
mod mail;
mod marketplace;
mod network;
mod payments;
mod store;
mod tax;
mod websocket;

pub use checkout::{CheckoutSection, LaneEntry};
pub use cluster::{ClusterConfig, advertise, valid_node_id};
use layers::{env_value, merge, parse, set_path};
pub use mail::{MailConfig, NotificationsConfig, TransportName};
pub use marketplace::MarketplaceConfig;
pub use payments::{PaymentsConfig, ProviderName, StripeConfig};
pub use store::{Backend, StoreConfig};
pub use tax::{TaxRateEntry, TaxSection};

const DEFAULTS: &str = include_str!("../../../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub shutdown_grace_secs: u64,
    /// The store's block cache, at most (MiB).
    pub store_cache_mib: u64,
    pub header_read_timeout_secs: u64,
    pub keep_alive_secs: u64,
    pub request_timeout_secs: u64,
    pub max_connections_per_ip: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActorsConfig {
    pub inventory_shards: usize,
    pub cart_hosts: usize,
    pub call_timeout_ms: u64,
    pub idle_secs: u64,
    /// Order actors kept in memory at most; the least recently used leave first.
    pub max_live_orders: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// Where `/metrics` gets a listener of its own; empty serves it on
    /// `server.listen` with the API.
    pub listen: String,
    /// Bearer token `/metrics` requires, when set.
    pub token: SecretString,
}

impl MetricsConfig {
    /// The separate metrics address, if one is set.
    pub fn address(&self) -> Result<Option<SocketAddr>, ConfigError> {
        let listen = self.listen.trim();
        if listen.is_empty() {
            return Ok(None);
        }
        listen.parse().map(Some).map_err(|_| {
            invalid(
                "metrics.listen",
                "must be empty or an address like 127.0.0.1:9464",
            )
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    pub format: LogFormat,
    pub level: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub store: StoreConfig,
    pub marketplace: MarketplaceConfig,
    pub actors: ActorsConfig,
    pub checkout: CheckoutSection,
    pub auth: AuthConfig,
    pub rate_limit: RateLimitConfig,
    pub http: HttpConfig,
    pub websocket: WebSocketConfig,
    pub assistant: AssistantConfig,
    pub metrics: MetricsConfig,
    pub log: LogConfig,
    pub cluster: ClusterConfig,
    pub payments: PaymentsConfig,
    pub tax: TaxSection,
    pub mail: MailConfig,
    pub notifications: NotificationsConfig,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not valid TOML: {message}")]
    Syntax { path: String, message: String },
    #[error("config key `{key}`: {message}")]
    Invalid { key: String, message: String },
}

pub(crate) fn invalid(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key: key.to_owned(),
        message: message.into(),
    }
}

impl Config {
    /// Loads the layers from the process environment, with config files under
    /// `SOUK_CONFIG_DIR` (default `./config`).
    pub fn load() -> Result<Self, ConfigError> {
        let env: Vec<(String, String)> = std::env::vars().collect();
        let dir = std::env::var("SOUK_CONFIG_DIR").unwrap_or_else(|_| "config".into());
        Self::from_layers(Path::new(&dir), &env)
    }

    /// Builds the config from files in `dir` and the `(name, value)` variables.
    pub fn from_layers(dir: &Path, env: &[(String, String)]) -> Result<Self, ConfigError> {
        let mut merged = parse("config/default.toml", DEFAULTS)?;
        if let Some((_, name)) = env.iter().find(|(k, _)| k == "SOUK_ENV") {
            let path = dir.join(format!("{name}.toml"));
            let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
                path: path.clone(),
                source,
            })?;
            merge(&mut merged, parse(&path.display().to_string(), &text)?);
        }
        for (name, value) in env {
            let Some(rest) = name.strip_prefix("SOUK__") else {
                continue;
            };
            let keys: Vec<String> = rest.split("__").map(str::to_lowercase).collect();
            set_path(&mut merged, &keys, env_value(value));
        }
        let config: Config = serde_path_to_error::deserialize(merged).map_err(|e| {
            let key = e.path().to_string();
            invalid(&key, e.into_inner().to_string())
        })?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let secret = self.auth.jwt_secret.expose_secret();
        if !secret.is_empty() && secret.len() < 32 {
            return Err(invalid(
                "auth.jwt_secret",
                "must be at least 32 bytes (or empty to generate one)",
            ));
        }
        if !(1..=1024).contains(&self.actors.inventory_shards) {
            return Err(invalid(
                "actors.inventory_shards",
                "must be between 1 and 1024",
            ));
        }
        if !(1..=1024).contains(&self.actors.cart_hosts) {
            return Err(invalid("actors.cart_hosts", "must be between 1 and 1024"));
        }
        if !(100..=60_000).contains(&self.actors.call_timeout_ms) {
            return Err(invalid(
                "actors.call_timeout_ms",
                "must be between 100 and 60000",
            ));
        }
        if !(16..=1_048_576).contains(&self.server.store_cache_mib) {
            return Err(invalid(
                "server.store_cache_mib",
                "must be between 16 and 1048576",
            ));
        }
        if !(1..=86_400).contains(&self.actors.idle_secs) {
            return Err(invalid("actors.idle_secs", "must be between 1 and 86400"));
        }
        if !(100..=10_000_000).contains(&self.actors.max_live_orders) {
            return Err(invalid(
                "actors.max_live_orders",
                "must be between 100 and 10000000",
            ));
        }
        self.checkout.validate()?;
        self.marketplace.validate()?;
        self.tax.table()?;
        store::validate(&self.store)?;
        network::validate(self)?;
        websocket::validate(&self.websocket)?;
        assistant::validate(&self.assistant)?;
        cluster::validate(self)?;
        payments::validate(&self.payments)?;
        mail::validate(&self.mail, &self.notifications)?;
        if self.auth.access_ttl_secs == 0 || self.auth.access_ttl_secs > 86_400 {
            return Err(invalid(
                "auth.access_ttl_secs",
                "must be between 1 and 86400",
            ));
        }
        if !(1..=720).contains(&self.auth.verify_ttl_hours) {
            return Err(invalid(
                "auth.verify_ttl_hours",
                "must be between 1 and 720",
            ));
        }
        if !(5..=1440).contains(&self.auth.reset_ttl_minutes) {
            return Err(invalid(
                "auth.reset_ttl_minutes",
                "must be between 5 and 1440",
            ));
        }
        if self.auth.refresh_ttl_secs < self.auth.access_ttl_secs {
            return Err(invalid(
                "auth.refresh_ttl_secs",
                "must not be shorter than auth.access_ttl_secs",
            ));
        }
        if !(1024..=64 * 1024 * 1024).contains(&self.http.body_limit_bytes) {
            return Err(invalid(
                "http.body_limit_bytes",
                "must be between 1 KiB and 64 MiB",
            ));
        }
        if !(1..=1000).contains(&self.http.max_addresses_per_user) {
            return Err(invalid(
                "http.max_addresses_per_user",
                "must be between 1 and 1000",
            ));
        }
        for origin in &self.http.cors_allowed_origins {
            let ok = (origin.starts_with("https://") || origin.starts_with("http://"))
                && !origin.ends_with('/');
            if !ok {
                return Err(invalid(
                    "http.cors_allowed_origins",
                    format!("`{origin}` must be an origin like https://shop.example.com"),
                ));
            }
        }
        Ok(())
    }
    pub fn gateway(&self, jwt_secret: SecretString) -> GatewayConfig {
        GatewayConfig {
            auth: AuthConfig {
                jwt_secret,
                ..self.auth.clone()
            },
            rate_limit: self.rate_limit.clone(),
            http: self.http.clone(),
            websocket: self.websocket.clone(),
            assistant: self.assistant.clone(),
            metrics_on_api: self.metrics.listen.trim().is_empty(),
            metrics_token: network::metrics_token(&self.metrics),
            cluster_secret: self.cluster.enabled.then(|| self.cluster.secret.clone()),
            return_window_days: self.marketplace.return_window_days,
            membership_grace_days: self.marketplace.membership_grace_days,
        }
    }

    /// What every HTTP connection is held to.
    pub fn connection_limits(&self) -> ConnectionLimits {
        ConnectionLimits {
            header_read_timeout: Duration::from_secs(self.server.header_read_timeout_secs),
            keep_alive: Duration::from_secs(self.server.keep_alive_secs),
            request_timeout: Duration::from_secs(self.server.request_timeout_secs),
            max_per_ip: self.server.max_connections_per_ip,
            proxies: self.rate_limit.proxies(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let env: Vec<_> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_layers(Path::new("/nonexistent"), &env)
    }

    #[test]
    fn defaults_load() {
        let config = load(&[]).map_err(|e| e.to_string());
        assert_eq!(config.map(|c| c.server.listen.port()), Ok(8080));
    }

    #[test]
    fn env_overrides_nested_keys_with_typed_values() {
        let config = load(&[
            ("SOUK__RATE_LIMIT__ENABLED", "false"),
            ("SOUK__RATE_LIMIT__PER_IP__BURST", "7"),
            ("SOUK__SERVER__LISTEN", "0.0.0.0:9000"),
        ])
        .map_err(|e| e.to_string());
        let config = config.as_ref();
        assert_eq!(config.map(|c| c.rate_limit.enabled), Ok(false));
        assert_eq!(config.map(|c| c.rate_limit.per_ip.burst), Ok(7));
        assert_eq!(config.map(|c| c.server.listen.port()), Ok(9000));
    }

    #[test]
    fn bad_values_name_their_key() {
        let err = |env: &[(&str, &str)]| load(env).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err(&[("SOUK__SERVER__LISTEN", "nowhere")]).contains("server.listen"));
        assert!(err(&[("SOUK__MARKETPLACE__CURRENCY", "usd")]).contains("marketplace.currency"));
        assert!(
            err(&[("SOUK__RATE_LIMIT__PER_IP__BURST", "0")]).contains("rate_limit.per_ip.burst")
        );
        assert!(err(&[("SOUK__AUTH__JWT_SECRET", "short")]).contains("auth.jwt_secret"));
        assert!(err(&[("SOUK__HTTP__SURPRISE", "1")]).contains("surprise"));
        assert!(
            err(&[("SOUK__ACTORS__INVENTORY_SHARDS", "0")]).contains("actors.inventory_shards")
        );
        assert!(err(&[("SOUK__ASSISTANT__MAX_TURNS", "0")]).contains("assistant.max_turns"));
        assert!(err(&[("SOUK__SERVER__STORE_CACHE_MIB", "1")]).contains("server.store_cache_mib"));
        assert!(err(&[("SOUK__ACTORS__MAX_LIVE_ORDERS", "5")]).contains("actors.max_live_orders"));
        assert!(
            err(&[("SOUK__WEBSOCKET__CHECKOUT_RETENTION_SECS", "0")])
                .contains("websocket.checkout_retention_secs")
        );
        assert!(
            err(&[("SOUK__ASSISTANT__MIN_SIMILARITY", "1.5")]).contains("assistant.min_similarity")
        );
        assert!(
            err(&[("SOUK__WEBSOCKET__KERNEL_SEND_BUFFER", "100")])
                .contains("websocket.kernel_send_buffer")
        );
    }

    #[test]
    fn missing_env_file_is_an_error() {
        assert!(matches!(
            load(&[("SOUK_ENV", "nope")]),
            Err(ConfigError::Read { .. })
        ));
    }
}
