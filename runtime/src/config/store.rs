//! The `[store]` section: which backend holds the marketplace's data.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::{ConfigError, invalid};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    /// `embedded`, `postgres://user@host:port/database` or
    /// `scylla://host:9042,…/keyspace?…`. A secret, as a URL may carry a
    /// password.
    pub url: SecretString,
    /// Connections to a shared store, at most.
    pub pool_size: usize,
}

/// The backend `store.url` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// The embedded store under `server.data_dir`.
    Embedded,
    /// A PostgreSQL database; the URL as given.
    Postgres(String),
    /// A ScyllaDB keyspace; the URL as given.
    Scylla(String),
}

impl StoreConfig {
    /// The backend, or an error naming `store.url`.
    pub fn backend(&self) -> Result<Backend, ConfigError> {
        let url = self.url.expose_secret().trim();
        if url == "embedded" {
            return Ok(Backend::Embedded);
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Backend::Postgres(url.to_owned()));
        }
        if url.starts_with("scylla://") {
            souk_store_scylla::Target::parse(url)
                .map_err(|e| invalid("store.url", e.to_string()))?;
            return Ok(Backend::Scylla(url.to_owned()));
        }
        Err(invalid(
            "store.url",
            "must be `embedded` or a URL like postgres://user@host:5432/database \
             or scylla://host:9042/keyspace",
        ))
    }
}

pub(super) fn validate(store: &StoreConfig) -> Result<(), ConfigError> {
    store.backend()?;
    if !(1..=1024).contains(&store.pool_size) {
        return Err(invalid("store.pool_size", "must be between 1 and 1024"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::Config;
    use super::*;

    fn load(url: &str) -> Result<Backend, String> {
        let env = vec![("SOUK__STORE__URL".to_owned(), url.to_owned())];
        let config =
            Config::from_layers(Path::new("/nonexistent"), &env).map_err(|e| e.to_string())?;
        config.store.backend().map_err(|e| e.to_string())
    }

    #[test]
    fn the_url_picks_the_backend() {
        assert_eq!(load("embedded"), Ok(Backend::Embedded));
        assert_eq!(
            load("postgres://souk@db:5432/shop"),
            Ok(Backend::Postgres("postgres://souk@db:5432/shop".into()))
        );
        assert_eq!(
            load("scylla://db1,db2/shop?consistency=local_quorum"),
            Ok(Backend::Scylla(
                "scylla://db1,db2/shop?consistency=local_quorum".into()
            ))
        );
    }

    #[test]
    fn a_bad_url_is_refused_naming_the_key() {
        for url in [
            "mysql://root@db/shop",
            "",
            "scylla://db:9042",
            "scylla://db/shop?consistency=two",
        ] {
            let err = load(url).expect_err(url);
            assert!(err.contains("store.url"), "{url}: {err}");
        }
    }

    #[test]
    fn the_password_is_not_printed_with_the_config() {
        let env = vec![(
            "SOUK__STORE__URL".to_owned(),
            "postgres://souk:hunter2@db/shop".to_owned(),
        )];
        let config = Config::from_layers(Path::new("/nonexistent"), &env).expect("loads");
        assert!(!format!("{config:?}").contains("hunter2"));
    }
}
