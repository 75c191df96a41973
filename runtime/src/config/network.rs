//! Validation of what faces the network: connection limits, rate limits and
//! the proxies in front, and where `/metrics` is served.

use secrecy::{ExposeSecret, SecretString};

use super::{Config, ConfigError, MetricsConfig, invalid};

pub(super) fn validate(config: &Config) -> Result<(), ConfigError> {
    let server = &config.server;
    if !(1..=3600).contains(&server.header_read_timeout_secs) {
        return Err(invalid(
            "server.header_read_timeout_secs",
            "must be between 1 and 3600",
        ));
    }
    if !(1..=3600).contains(&server.keep_alive_secs) {
        return Err(invalid(
            "server.keep_alive_secs",
            "must be between 1 and 3600",
        ));
    }
    let longest_wait_ms = config.checkout.wait_ms + 1000;
    if server.request_timeout_secs > 3600 || server.request_timeout_secs * 1000 <= longest_wait_ms {
        return Err(invalid(
            "server.request_timeout_secs",
            "must be at most 3600 and longer than checkout.wait_ms (plus a second)",
        ));
    }
    if !(1..=1_000_000).contains(&server.max_connections_per_ip) {
        return Err(invalid(
            "server.max_connections_per_ip",
            "must be between 1 and 1000000",
        ));
    }
    rate_limits(config)?;
    metrics(config)
}

fn rate_limits(config: &Config) -> Result<(), ConfigError> {
    let limits = &config.rate_limit;
    for (key, limit) in [
        ("rate_limit.per_ip", limits.per_ip),
        ("rate_limit.per_user", limits.per_user),
        ("rate_limit.auth", limits.auth),
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
    if !(1024..=100_000_000).contains(&limits.max_clients) {
        return Err(invalid(
            "rate_limit.max_clients",
            "must be between 1024 and 100000000",
        ));
    }
    if limits.trust_forwarded_for && limits.proxies().is_empty() {
        return Err(invalid(
            "rate_limit.trust_forwarded_for",
            "needs rate_limit.trusted_proxies (e.g. [\"10.0.0.0/8\"]) or rate_limit.trusted_proxy_hops \
             (e.g. 1): otherwise any client could name its own address",
        ));
    }
    Ok(())
}

fn metrics(config: &Config) -> Result<(), ConfigError> {
    let listen = config.server.listen;
    let separate = config.metrics.address()?;
    if listen.port() != 0 && separate == Some(listen) {
        return Err(invalid(
            "metrics.listen",
            "must differ from server.listen (leave it empty to share it, with metrics.token)",
        ));
    }
    let token = config.metrics.token.expose_secret();
    if !token.is_empty() && token.len() < 16 {
        return Err(invalid("metrics.token", "must be at least 16 bytes"));
    }
    if separate.is_none() && token.is_empty() {
        return Err(invalid(
            "metrics.token",
            "is required when metrics.listen is empty: /metrics on the API listener shows \
             revenue and best sellers to anyone who can reach it",
        ));
    }
    Ok(())
}

/// The token `/metrics` requires, if one is set.
pub(super) fn metrics_token(metrics: &MetricsConfig) -> Option<SecretString> {
    let token = metrics.token.expose_secret();
    (!token.is_empty()).then(|| SecretString::from(token.to_owned()))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn error_of(env: &[(&str, &str)]) -> String {
        let env: Vec<_> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        match Config::from_layers(Path::new("/nonexistent"), &env) {
            Ok(_) => String::new(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn metrics_stay_off_the_public_listener_by_default() {
        let config = Config::from_layers(Path::new("/nonexistent"), &[]).expect("defaults load");
        let metrics = config.metrics.address().expect("a valid address");
        assert!(metrics.is_some_and(|a| a.ip().is_loopback()), "{metrics:?}");
        assert!(metrics_token(&config.metrics).is_none());
    }

    #[test]
    fn bad_network_values_name_their_key() {
        for (key, value, named) in [
            (
                "SOUK__SERVER__REQUEST_TIMEOUT_SECS",
                "1",
                "server.request_timeout_secs",
            ),
            (
                "SOUK__SERVER__KEEP_ALIVE_SECS",
                "0",
                "server.keep_alive_secs",
            ),
            (
                "SOUK__SERVER__HEADER_READ_TIMEOUT_SECS",
                "0",
                "server.header_read_timeout_secs",
            ),
            (
                "SOUK__SERVER__MAX_CONNECTIONS_PER_IP",
                "0",
                "server.max_connections_per_ip",
            ),
            (
                "SOUK__RATE_LIMIT__TRUSTED_PROXIES",
                "[\"nope\"]",
                "rate_limit.trusted_proxies",
            ),
            (
                "SOUK__RATE_LIMIT__MAX_CLIENTS",
                "10",
                "rate_limit.max_clients",
            ),
            ("SOUK__METRICS__TOKEN", "short", "metrics.token"),
        ] {
            let error = error_of(&[(key, value)]);
            assert!(error.contains(named), "{key}={value}: {error}");
        }
    }
}
