//! Which PostgreSQL database a store URL names, and how each connection to it
//! is set up.

use std::fmt;
use std::time::Duration;

use souk_actors::store::StoreError;
use tokio_postgres::config::Host;

/// How long a souk transaction may sit idle between its statements before
/// the server ends it. souk sends a transaction's statements back to back;
/// only a process that stopped running leaves one idle this long.
const IDLE_IN_TRANSACTION: Duration = Duration::from_secs(5);

/// A parsed `postgres://` (or `postgresql://`) URL.
#[derive(Clone)]
pub struct Target {
    config: tokio_postgres::Config,
}

impl Target {
    /// Parses `url`; the error says what is wrong without echoing a password.
    pub fn parse(url: &str) -> Result<Self, StoreError> {
        let bad = |why: &str| StoreError::Unavailable(format!("bad PostgreSQL URL: {why}"));
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(bad("it must start with postgres:// or postgresql://"));
        }
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e: tokio_postgres::Error| bad(&e.to_string()))?;
        if config.get_dbname().is_none() {
            return Err(bad(
                "it names no database (postgres://user@host:port/DATABASE)",
            ));
        }
        if config.get_user().is_none() {
            return Err(bad("it names no user (postgres://USER@host:port/database)"));
        }
        Ok(Self { config })
    }

    /// The connection settings: the URL's, plus durable commits whatever the
    /// server's default, a bound on transactions left idle
    /// ([`IDLE_IN_TRANSACTION`]), an application name for
    /// `pg_stat_activity`, and a connect timeout unless the URL sets one.
    pub fn config(&self, connect_timeout: Duration) -> tokio_postgres::Config {
        let mut config = self.config.clone();
        // A transaction left open by a process that stopped running (paused,
        // cut off) is ended by the server, so the row locks it holds (a
        // fence's, say) cannot keep the next owner of its work waiting.
        let ours = format!(
            "-c synchronous_commit=on -c idle_in_transaction_session_timeout={}",
            IDLE_IN_TRANSACTION.as_millis()
        );
        let options = match config.get_options() {
            Some(theirs) => format!("{theirs} {ours}"),
            None => ours,
        };
        config.options(&options);
        if config.get_application_name().is_none() {
            config.application_name("souk");
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(connect_timeout);
        }
        config
    }

    /// The database's name.
    pub fn database(&self) -> &str {
        self.config.get_dbname().unwrap_or_default()
    }
}

/// `user@host:port/database`, never the password.
impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let user = self.config.get_user().unwrap_or_default();
        let ports = self.config.get_ports();
        let hosts: Vec<String> = self
            .config
            .get_hosts()
            .iter()
            .enumerate()
            .map(|(i, host)| {
                let host = match host {
                    Host::Tcp(name) => name.clone(),
                    Host::Unix(path) => path.display().to_string(),
                };
                match ports.get(i).or(ports.first()) {
                    Some(port) => format!("{host}:{port}"),
                    None => host,
                }
            })
            .collect();
        write!(f, "{user}@{}/{}", hosts.join(","), self.database())
    }
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_shown_without_its_password() {
        let target = Target::parse("postgres://souk:secret@db.internal:6432/shop").expect("parses");
        assert_eq!(target.to_string(), "souk@db.internal:6432/shop");
        assert_eq!(format!("{target:?}"), "souk@db.internal:6432/shop");
    }

    #[test]
    fn bad_urls_say_what_is_missing() {
        let why = |url: &str| Target::parse(url).expect_err("refused").to_string();
        assert!(why("mysql://root@localhost/shop").contains("postgres://"));
        assert!(why("postgres://root@localhost").contains("no database"));
        assert!(why("postgres://localhost/shop").contains("no user"));
        assert!(why("postgres://root@localhost:notaport/shop").contains("bad PostgreSQL URL"));
    }

    #[test]
    fn every_connection_asks_for_durable_commits_and_ends_idle_transactions() {
        let target = Target::parse("postgres://root@localhost/shop?options=-c%20work_mem%3D8MB")
            .expect("parses");
        let config = target.config(Duration::from_secs(3));
        assert_eq!(
            config.get_options(),
            Some(
                "-c work_mem=8MB -c synchronous_commit=on \
                 -c idle_in_transaction_session_timeout=5000"
            )
        );
        assert_eq!(config.get_application_name(), Some("souk"));
        assert_eq!(config.get_connect_timeout(), Some(&Duration::from_secs(3)));
    }
}
