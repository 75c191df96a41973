//! The `[cluster]` section: several nodes over one shared store and Redis.

use std::net::SocketAddr;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::{Backend, Config, ConfigError, invalid};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterConfig {
    pub enabled: bool,
    /// `redis://…`, or a Redis Cluster or Sentinel URL. A secret, as a URL
    /// may carry a password.
    pub redis_url: SecretString,
    /// This node's id; empty: generated at first start and kept in the data dir.
    pub node_id: String,
    /// `host:port` other nodes reach this node's API on; empty: `server.listen`.
    pub advertise: String,
    /// Authenticates node-to-node calls: the same on every node.
    pub secret: SecretString,
    /// A node's record and its leases expire this long after its last
    /// heartbeat (renewed every third of it).
    pub lease_ms: u64,
}

impl ClusterConfig {
    pub fn lease(&self) -> Duration {
        Duration::from_millis(self.lease_ms)
    }
}

/// A node id: what the data dir keeps and what other nodes see.
pub fn valid_node_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

pub(super) fn validate(config: &Config) -> Result<(), ConfigError> {
    let cluster = &config.cluster;
    if !(500..=60_000).contains(&cluster.lease_ms) {
        return Err(invalid("cluster.lease_ms", "must be between 500 and 60000"));
    }
    if !cluster.node_id.is_empty() && !valid_node_id(&cluster.node_id) {
        return Err(invalid(
            "cluster.node_id",
            "must be 1 to 64 letters, digits, `-`, `_` or `.` (or empty to generate one)",
        ));
    }
    if !cluster.enabled {
        return Ok(());
    }
    if config.store.backend()? == Backend::Embedded {
        return Err(invalid(
            "cluster.enabled",
            "a cluster needs a shared store: set store.url to postgres://… or scylla://… \
             (the embedded store belongs to one node)",
        ));
    }
    let url = cluster.redis_url.expose_secret().trim();
    if url.starts_with("rediss://") {
        return Err(invalid(
            "cluster.redis_url",
            "TLS to Redis (rediss://) is not supported by this build",
        ));
    }
    if !souk_cluster::SCHEMES
        .iter()
        .any(|scheme| url.starts_with(scheme))
    {
        return Err(invalid(
            "cluster.redis_url",
            "must be a URL like redis://host:6379/0 (or redis-cluster://, redis-sentinel://)",
        ));
    }
    if cluster.secret.expose_secret().len() < 32 {
        return Err(invalid(
            "cluster.secret",
            "must be at least 32 bytes, the same on every node",
        ));
    }
    if config.auth.jwt_secret.expose_secret().is_empty() {
        return Err(invalid(
            "auth.jwt_secret",
            "must be set, the same on every node, when cluster.enabled (a token \
             signed by one node must be accepted by the others)",
        ));
    }
    advertise(config, config.server.listen)?;
    Ok(())
}

/// Where other nodes reach this one, listening on `listening` (the bound
/// address, whose port is the real one when `server.listen` asks for port 0).
pub fn advertise(config: &Config, listening: SocketAddr) -> Result<String, ConfigError> {
    let given = config.cluster.advertise.trim();
    if given.is_empty() {
        let listen = listening;
        if listen.ip().is_unspecified() {
            return Err(invalid(
                "cluster.advertise",
                format!(
                    "must be set when server.listen is {listen}: the host:port other nodes \
                     reach this one on"
                ),
            ));
        }
        return Ok(listen.to_string());
    }
    let valid = given.rsplit_once(':').is_some_and(|(host, port)| {
        !host.is_empty() && !host.contains('/') && port.parse::<u16>().is_ok_and(|p| p > 0)
    });
    if !valid {
        return Err(invalid(
            "cluster.advertise",
            "must be host:port, e.g. souk-2.internal:8080",
        ));
    }
    Ok(given.to_owned())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    const SECRET: &str = "an-example-cluster-secret-of-32-bytes!";

    fn load(extra: &[(&str, &str)]) -> Result<Config, String> {
        let mut env: Vec<(String, String)> = [
            ("SOUK__CLUSTER__ENABLED", "true"),
            ("SOUK__STORE__URL", "postgres://souk@db/shop"),
            ("SOUK__CLUSTER__SECRET", SECRET),
            ("SOUK__AUTH__JWT_SECRET", SECRET),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Config::from_layers(Path::new("/nonexistent"), &env).map_err(|e| e.to_string())
    }

    #[test]
    fn a_cluster_over_a_shared_store_loads() {
        let config = load(&[]).unwrap();
        assert!(config.cluster.enabled);
        let bound: SocketAddr = "127.0.0.1:41234".parse().unwrap();
        assert_eq!(advertise(&config, bound).unwrap(), "127.0.0.1:41234");
        let config = load(&[("SOUK__CLUSTER__ADVERTISE", "souk-2.internal:9000")]).unwrap();
        assert_eq!(advertise(&config, bound).unwrap(), "souk-2.internal:9000");
    }

    #[test]
    fn the_embedded_store_is_refused() {
        let err = load(&[("SOUK__STORE__URL", "embedded")]).unwrap_err();
        assert!(
            err.contains("cluster.enabled") && err.contains("shared store"),
            "{err}"
        );
    }

    #[test]
    fn unusable_settings_name_their_key() {
        for (key, value, named) in [
            ("SOUK__CLUSTER__SECRET", "short", "cluster.secret"),
            ("SOUK__AUTH__JWT_SECRET", "", "auth.jwt_secret"),
            (
                "SOUK__CLUSTER__REDIS_URL",
                "http://redis",
                "cluster.redis_url",
            ),
            (
                "SOUK__CLUSTER__REDIS_URL",
                "rediss://redis",
                "cluster.redis_url",
            ),
            ("SOUK__CLUSTER__ADVERTISE", "nohost", "cluster.advertise"),
            ("SOUK__CLUSTER__ADVERTISE", "h:0", "cluster.advertise"),
            ("SOUK__SERVER__LISTEN", "0.0.0.0:8080", "cluster.advertise"),
            ("SOUK__CLUSTER__NODE_ID", "has space", "cluster.node_id"),
            ("SOUK__CLUSTER__LEASE_MS", "10", "cluster.lease_ms"),
        ] {
            let err = load(&[(key, value)]).unwrap_err();
            assert!(err.contains(named), "{key}={value}: {err}");
        }
    }

    #[test]
    fn off_by_default_and_then_nothing_is_required() {
        let config = Config::from_layers(Path::new("/nonexistent"), &[]).unwrap();
        assert!(!config.cluster.enabled);
    }

    #[test]
    fn the_redis_password_is_not_printed_with_the_config() {
        let config =
            load(&[("SOUK__CLUSTER__REDIS_URL", "redis://:hunter2@redis:6379/0")]).unwrap();
        assert!(!format!("{config:?}").contains("hunter2"));
    }
}
