//! Typed, layered configuration: the built-in `config/default.toml`, then
//! `config/$SOUK_ENV.toml`, then `SOUK__SECTION__KEY` environment variables.
//! Validated at start-up; an error names the offending key.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use souk_actors::{CheckoutConfig, LaneConfig, LaneSettings};
use souk_gateway::config::{AuthConfig, GatewayConfig, HttpConfig, RateLimitConfig};
use souk_models::{Currency, Tier};

const DEFAULTS: &str = include_str!("../../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub shutdown_grace_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketplaceConfig {
    pub currency: Currency,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActorsConfig {
    pub inventory_shards: usize,
    pub call_timeout_ms: u64,
    pub idle_secs: u64,
}

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
    pub lanes: Vec<LaneEntry>,
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
    pub marketplace: MarketplaceConfig,
    pub actors: ActorsConfig,
    pub checkout: CheckoutSection,
    pub auth: AuthConfig,
    pub rate_limit: RateLimitConfig,
    pub http: HttpConfig,
    pub log: LogConfig,
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

fn invalid(key: &str, message: impl Into<String>) -> ConfigError {
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
        if !(100..=60_000).contains(&self.actors.call_timeout_ms) {
            return Err(invalid(
                "actors.call_timeout_ms",
                "must be between 100 and 60000",
            ));
        }
        if !(1..=86_400).contains(&self.actors.idle_secs) {
            return Err(invalid("actors.idle_secs", "must be between 1 and 86400"));
        }
        self.validate_checkout()?;
        if self.auth.access_ttl_secs == 0 || self.auth.access_ttl_secs > 86_400 {
            return Err(invalid(
                "auth.access_ttl_secs",
                "must be between 1 and 86400",
            ));
        }
        if self.auth.refresh_ttl_secs < self.auth.access_ttl_secs {
            return Err(invalid(
                "auth.refresh_ttl_secs",
                "must not be shorter than auth.access_ttl_secs",
            ));
        }
        for (key, limit) in [
            ("rate_limit.per_ip", self.rate_limit.per_ip),
            ("rate_limit.per_user", self.rate_limit.per_user),
            ("rate_limit.auth", self.rate_limit.auth),
        ] {
            if !(limit.per_second > 0.0 && limit.per_second.is_finite()) {
                return Err(invalid(
                    &format!("{key}.per_second"),
                    "must be a positive number",
                ));
            }
            if limit.burst == 0 {
                return Err(invalid(&format!("{key}.burst"), "must be at least 1"));
            }
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

    fn validate_checkout(&self) -> Result<(), ConfigError> {
        let c = &self.checkout;
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
    pub fn checkout(&self) -> CheckoutConfig {
        let c = &self.checkout;
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
            call_timeout: Duration::from_millis(self.actors.call_timeout_ms),
        }
    }

    pub fn gateway(&self, jwt_secret: SecretString) -> GatewayConfig {
        GatewayConfig {
            auth: AuthConfig {
                jwt_secret,
                ..self.auth.clone()
            },
            rate_limit: self.rate_limit.clone(),
            http: self.http.clone(),
        }
    }
}

fn parse(path: &str, text: &str) -> Result<toml::Value, ConfigError> {
    text.parse::<toml::Table>()
        .map(toml::Value::Table)
        .map_err(|e| ConfigError::Syntax {
            path: path.to_owned(),
            message: e.to_string(),
        })
}

/// Overlays `top` onto `base`, table by table.
fn merge(base: &mut toml::Value, top: toml::Value) {
    match (base, top) {
        (toml::Value::Table(base), toml::Value::Table(top)) => {
            for (k, v) in top {
                match base.get_mut(&k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        base.insert(k, v);
                    }
                }
            }
        }
        (base, top) => *base = top,
    }
}

fn set_path(root: &mut toml::Value, keys: &[String], value: toml::Value) {
    let Some((last, parents)) = keys.split_last() else {
        return;
    };
    let mut node = root;
    for key in parents {
        let toml::Value::Table(table) = node else {
            return;
        };
        node = table
            .entry(key.clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    }
    if let toml::Value::Table(table) = node {
        table.insert(last.clone(), value);
    }
}

/// Environment values are TOML scalars or arrays when they parse as one
/// (`false`, `8080`, `["https://a.example"]`), strings otherwise.
fn env_value(raw: &str) -> toml::Value {
    format!("v = {raw}")
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_owned()))
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
    }

    #[test]
    fn missing_env_file_is_an_error() {
        assert!(matches!(
            load(&[("SOUK_ENV", "nope")]),
            Err(ConfigError::Read { .. })
        ));
    }
}
