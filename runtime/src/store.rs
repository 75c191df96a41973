//! Opens a store: the one `store.url` names for a node, or one a command
//! line names (`souk store copy`): the embedded store under a data dir, a
//! shared PostgreSQL database or a ScyllaDB keyspace.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use souk_actors::Store;
use souk_store_embedded::EmbeddedStore;
use souk_store_postgres::{PostgresStore, Target};
use souk_store_scylla::ScyllaStore;

use crate::config::{Backend, Config};

/// Where a store is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The embedded store under this data dir.
    Embedded(PathBuf),
    /// A PostgreSQL database, by URL.
    Postgres(String),
    /// A ScyllaDB keyspace, by URL.
    Scylla(String),
}

impl Location {
    /// The store `store.url` names for this node.
    pub fn configured(config: &Config) -> anyhow::Result<Self> {
        Ok(match config.store.backend()? {
            Backend::Embedded => Self::Embedded(config.server.data_dir.clone()),
            Backend::Postgres(url) => Self::Postgres(url),
            Backend::Scylla(url) => Self::Scylla(url),
        })
    }

    /// `embedded:DATA_DIR`, a `postgres://` or a `scylla://` URL, as a
    /// command line gives it.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        if let Some(dir) = text.strip_prefix("embedded:") {
            anyhow::ensure!(
                !dir.is_empty(),
                "`embedded:` needs a data dir, e.g. embedded:./data"
            );
            return Ok(Self::Embedded(PathBuf::from(dir)));
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Target::parse(text)?;
            return Ok(Self::Postgres(text.to_owned()));
        }
        if text.starts_with("scylla://") {
            souk_store_scylla::Target::parse(text)?;
            return Ok(Self::Scylla(text.to_owned()));
        }
        anyhow::bail!(
            "`{text}` is not a store: use embedded:DATA_DIR, a postgres:// or a scylla:// URL"
        )
    }

    /// The location without a password, for messages and progress records.
    pub fn label(&self) -> String {
        match self {
            Self::Embedded(dir) => {
                let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.clone());
                format!("embedded:{}", dir.display())
            }
            Self::Postgres(url) => match Target::parse(url) {
                Ok(target) => format!("postgres://{target}"),
                Err(_) => "postgres://?".to_owned(),
            },
            Self::Scylla(url) => match souk_store_scylla::Target::parse(url) {
                Ok(target) => format!("scylla://{target}"),
                Err(_) => "scylla://?".to_owned(),
            },
        }
    }
}

/// An open store.
pub enum NodeStore {
    Embedded(Arc<EmbeddedStore>),
    Postgres(Arc<PostgresStore>),
    Scylla(Arc<ScyllaStore>),
}

impl NodeStore {
    /// Opens the configured store. An unreachable or unusable store stops
    /// start-up with a message naming `store.url`.
    pub async fn open(config: &Config) -> anyhow::Result<Self> {
        let location = Location::configured(config)?;
        Self::open_at(&location, config)
            .await
            .with_context(|| match location {
                Location::Embedded(_) => "cannot open the store".to_owned(),
                Location::Postgres(_) | Location::Scylla(_) => {
                    "cannot open the store `store.url` names".to_owned()
                }
            })
    }

    /// Opens the store at `location`, sized by `config`.
    pub async fn open_at(location: &Location, config: &Config) -> anyhow::Result<Self> {
        match location {
            Location::Embedded(data_dir) => open_embedded(data_dir, config).await,
            Location::Postgres(url) => {
                let options = souk_store_postgres::Options {
                    pool_size: config.store.pool_size,
                    ..Default::default()
                };
                let store = PostgresStore::connect(url, options).await?;
                tracing::info!(store = %store.target(), "PostgreSQL store open");
                Ok(Self::Postgres(Arc::new(store)))
            }
            Location::Scylla(url) => {
                let store = ScyllaStore::connect(url).await?;
                tracing::info!(store = %store.target(), "ScyllaDB store open");
                Ok(Self::Scylla(Arc::new(store)))
            }
        }
    }

    /// The store behind the storage ports.
    pub fn ports(&self) -> Arc<dyn Store> {
        match self {
            Self::Embedded(store) => store.clone(),
            Self::Postgres(store) => store.clone(),
            Self::Scylla(store) => store.clone(),
        }
    }

    /// Commits what is queued and releases the store.
    pub async fn close(&self) {
        match self {
            Self::Embedded(store) => store.close().await,
            Self::Postgres(store) => store.close(),
            // The session's connections close when its last clone is dropped.
            Self::Scylla(_) => {}
        }
    }
}

async fn open_embedded(data_dir: &Path, config: &Config) -> anyhow::Result<NodeStore> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create data dir {}", data_dir.display()))?;
    let cache = config.server.store_cache_mib * 1024 * 1024;
    let path = crate::store_dir::path(data_dir)?;
    let store =
        tokio::task::spawn_blocking(move || EmbeddedStore::open_with_cache(&path, cache)).await??;
    Ok(NodeStore::Embedded(Arc::new(store)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_parse_and_hide_passwords() {
        let pg = Location::parse("postgres://souk:secret@db:5432/shop").expect("parses");
        assert_eq!(pg.label(), "postgres://souk@db:5432/shop");
        let scylla = Location::parse("scylla://souk:secret@db1,db2/shop").expect("parses");
        assert_eq!(scylla.label(), "scylla://souk@db1:9042,db2:9042/shop");
        assert_eq!(
            Location::parse("embedded:/var/lib/souk").expect("parses"),
            Location::Embedded(PathBuf::from("/var/lib/souk"))
        );
        for bad in ["embedded:", "mysql://root@db/shop", "./data", "scylla://db"] {
            assert!(Location::parse(bad).is_err(), "{bad}");
        }
    }
}
