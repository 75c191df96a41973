//! Which ScyllaDB cluster and keyspace a store URL names, and how the store
//! talks to it:
//! `scylla://[user:password@]host1:9042,host2:9042/keyspace?option=value&…`.
//!
//! Options (all optional):
//! - `replication`: for a keyspace souk creates, either a replication factor
//!   (`3`, SimpleStrategy) or data centres and factors (`dc1:3,dc2:3`,
//!   NetworkTopologyStrategy). Default `3`. An existing keyspace is used as
//!   it is.
//! - `consistency`: for reads and writes; `quorum` (default), `local_quorum`,
//!   `each_quorum`, `all`, `one` or `local_one`. A write is acknowledged
//!   (and so durable on souk's terms) at this level.
//! - `serial_consistency`: for lightweight transactions; `serial` (default)
//!   or `local_serial`.
//! - `local_dc`: the data centre whose nodes are preferred (with
//!   `local_quorum` this keeps requests in one data centre).
//! - `token_aware`: send each request to a replica of its partition
//!   (default `true`).
//! - `timeout_ms`: how long one request may take before it fails
//!   (default 5000).

use std::fmt;
use std::time::Duration;

use scylla::statement::{Consistency, SerialConsistency};
use souk_actors::store::StoreError;

/// How a keyspace souk creates is replicated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replication {
    /// SimpleStrategy with this factor.
    Simple(u32),
    /// NetworkTopologyStrategy: each data centre and its factor.
    PerDatacenter(Vec<(String, u32)>),
}

impl Replication {
    /// The keyspace's replication map, as CQL.
    pub fn cql(&self) -> String {
        match self {
            Replication::Simple(n) => {
                format!("{{'class': 'SimpleStrategy', 'replication_factor': {n}}}")
            }
            Replication::PerDatacenter(dcs) => {
                let each: Vec<String> = dcs.iter().map(|(dc, n)| format!("'{dc}': {n}")).collect();
                format!(
                    "{{'class': 'NetworkTopologyStrategy', {}}}",
                    each.join(", ")
                )
            }
        }
    }
}

/// A parsed `scylla://` URL.
#[derive(Clone, PartialEq)]
pub struct Target {
    pub nodes: Vec<String>,
    pub keyspace: String,
    pub credentials: Option<(String, String)>,
    pub replication: Replication,
    pub consistency: Consistency,
    pub serial_consistency: SerialConsistency,
    pub local_dc: Option<String>,
    pub token_aware: bool,
    pub timeout: Duration,
}

fn bad(why: impl fmt::Display) -> StoreError {
    StoreError::Unavailable(format!("bad ScyllaDB URL: {why}"))
}

/// A CQL identifier souk will put in statements: letters, digits and `_`,
/// starting with a letter, at most 48 characters (ScyllaDB's limit).
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 48
}

impl Target {
    /// Parses `url`; the error says what is wrong without echoing a password.
    pub fn parse(url: &str) -> Result<Self, StoreError> {
        let rest = url
            .strip_prefix("scylla://")
            .ok_or_else(|| bad("it must start with scylla://"))?;
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (authority, keyspace) = rest
            .split_once('/')
            .ok_or_else(|| bad("it names no keyspace (scylla://host:9042/KEYSPACE)"))?;
        if !valid_name(keyspace) {
            return Err(bad(format!(
                "`{keyspace}` is not a keyspace name (letters, digits and _, starting with a letter)"
            )));
        }
        let (credentials, hosts) = match authority.rsplit_once('@') {
            Some((user, hosts)) => (Some(credentials(user)?), hosts),
            None => (None, authority),
        };
        let nodes = hosts.split(',').map(node).collect::<Result<Vec<_>, _>>()?;
        let mut target = Target {
            nodes,
            keyspace: keyspace.to_owned(),
            credentials,
            replication: Replication::Simple(3),
            consistency: Consistency::Quorum,
            serial_consistency: SerialConsistency::Serial,
            local_dc: None,
            token_aware: true,
            timeout: Duration::from_secs(5),
        };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair
                .split_once('=')
                .ok_or_else(|| bad(format!("option `{pair}` has no value")))?;
            target.set(key, value)?;
        }
        Ok(target)
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        match key {
            "replication" => self.replication = replication(value)?,
            "consistency" => self.consistency = consistency(value)?,
            "serial_consistency" => {
                self.serial_consistency = match value {
                    "serial" => SerialConsistency::Serial,
                    "local_serial" => SerialConsistency::LocalSerial,
                    _ => return Err(bad("serial_consistency must be serial or local_serial")),
                }
            }
            "local_dc" if !value.is_empty() => self.local_dc = Some(value.to_owned()),
            "token_aware" => {
                self.token_aware = value
                    .parse()
                    .map_err(|_| bad("token_aware must be true or false"))?
            }
            "timeout_ms" => {
                let ms: u64 = value
                    .parse()
                    .ok()
                    .filter(|ms| (1..=600_000).contains(ms))
                    .ok_or_else(|| bad("timeout_ms must be 1 to 600000"))?;
                self.timeout = Duration::from_millis(ms);
            }
            _ => {
                return Err(bad(format!(
                    "unknown option `{key}` (replication, consistency, serial_consistency, \
                     local_dc, token_aware, timeout_ms)"
                )));
            }
        }
        Ok(())
    }
}

fn credentials(user: &str) -> Result<(String, String), StoreError> {
    match user.split_once(':') {
        Some((name, password)) if !name.is_empty() => Ok((name.to_owned(), password.to_owned())),
        _ => Err(bad("credentials must be user:password@")),
    }
}

fn node(host: &str) -> Result<String, StoreError> {
    if host.is_empty() {
        return Err(bad("it names no host"));
    }
    let port_given = host
        .rsplit_once(':')
        .is_some_and(|(h, p)| !h.ends_with(':') && p.parse::<u16>().is_ok());
    if port_given {
        Ok(host.to_owned())
    } else if host.contains(':') && !host.starts_with('[') {
        Err(bad(format!("`{host}` has a bad port")))
    } else {
        Ok(format!("{host}:9042"))
    }
}

fn replication(value: &str) -> Result<Replication, StoreError> {
    let factor = |n: &str| {
        n.parse::<u32>()
            .ok()
            .filter(|n| (1..=15).contains(n))
            .ok_or_else(|| bad(format!("replication factor `{n}` must be 1 to 15")))
    };
    if !value.contains(':') {
        return Ok(Replication::Simple(factor(value)?));
    }
    let dcs = value
        .split(',')
        .map(|pair| {
            let (dc, n) = pair
                .split_once(':')
                .ok_or_else(|| bad("replication must be N or dc1:N,dc2:N"))?;
            if !valid_dc(dc) {
                return Err(bad(format!("`{dc}` is not a data centre name")));
            }
            Ok((dc.to_owned(), factor(n)?))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Replication::PerDatacenter(dcs))
}

fn valid_dc(dc: &str) -> bool {
    !dc.is_empty()
        && dc
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
}

fn consistency(value: &str) -> Result<Consistency, StoreError> {
    Ok(match value {
        "quorum" => Consistency::Quorum,
        "local_quorum" => Consistency::LocalQuorum,
        "each_quorum" => Consistency::EachQuorum,
        "all" => Consistency::All,
        "one" => Consistency::One,
        "local_one" => Consistency::LocalOne,
        _ => {
            return Err(bad(
                "consistency must be quorum, local_quorum, each_quorum, all, one or local_one",
            ));
        }
    })
}

/// The nodes and keyspace, without credentials (for logs and messages).
impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((user, _)) = &self.credentials {
            write!(f, "{user}@")?;
        }
        write!(f, "{}/{}", self.nodes.join(","), self.keyspace)
    }
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Target({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str) -> Target {
        match Target::parse(url) {
            Ok(t) => t,
            Err(e) => panic!("{url}: {e}"),
        }
    }

    fn refused(url: &str) -> String {
        match Target::parse(url) {
            Ok(t) => panic!("{url} parsed as {t}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn defaults_are_quorum_token_aware_and_three_replicas() {
        let t = parse("scylla://db1,db2:9043/shop");
        assert_eq!(t.nodes, ["db1:9042", "db2:9043"]);
        assert_eq!(t.keyspace, "shop");
        assert_eq!(t.consistency, Consistency::Quorum);
        assert_eq!(t.serial_consistency, SerialConsistency::Serial);
        assert_eq!(t.replication, Replication::Simple(3));
        assert!(t.token_aware);
        assert_eq!(t.local_dc, None);
        assert_eq!(t.timeout, Duration::from_secs(5));
    }

    #[test]
    fn options_set_replication_consistency_and_routing() {
        let t = parse(
            "scylla://souk:s3cret@10.0.0.1:9042/shop?replication=eu-1:3,us_2:2\
             &consistency=local_quorum&serial_consistency=local_serial&local_dc=eu-1\
             &token_aware=false&timeout_ms=2500",
        );
        assert_eq!(t.credentials, Some(("souk".into(), "s3cret".into())));
        assert_eq!(
            t.replication,
            Replication::PerDatacenter(vec![("eu-1".into(), 3), ("us_2".into(), 2)])
        );
        assert_eq!(t.consistency, Consistency::LocalQuorum);
        assert_eq!(t.serial_consistency, SerialConsistency::LocalSerial);
        assert_eq!(t.local_dc.as_deref(), Some("eu-1"));
        assert!(!t.token_aware);
        assert_eq!(t.timeout, Duration::from_millis(2500));
        assert_eq!(
            t.replication.cql(),
            "{'class': 'NetworkTopologyStrategy', 'eu-1': 3, 'us_2': 2}"
        );
        assert_eq!(
            Replication::Simple(1).cql(),
            "{'class': 'SimpleStrategy', 'replication_factor': 1}"
        );
    }

    #[test]
    fn the_password_is_never_shown() {
        let t = parse("scylla://souk:hunter2@db/shop");
        assert_eq!(t.to_string(), "souk@db:9042/shop");
        assert!(!format!("{t:?}").contains("hunter2"));
        assert!(!refused("scylla://souk:hunter2@db/shop?x=1").contains("hunter2"));
    }

    #[test]
    fn bad_urls_say_what_is_wrong() {
        assert!(refused("postgres://db/shop").contains("scylla://"));
        assert!(refused("scylla://db").contains("no keyspace"));
        assert!(refused("scylla://db/").contains("keyspace name"));
        assert!(refused("scylla://db/shop;drop").contains("keyspace name"));
        assert!(refused("scylla:///shop").contains("no host"));
        assert!(refused("scylla://db:99999/shop").contains("bad port"));
        assert!(refused("scylla://db/shop?replication=0").contains("1 to 15"));
        assert!(refused("scylla://db/shop?replication=dc'1:3").contains("data centre"));
        assert!(refused("scylla://db/shop?consistency=two").contains("consistency"));
        assert!(refused("scylla://db/shop?colour=red").contains("unknown option `colour`"));
        assert!(refused("scylla://db/shop?timeout_ms=0").contains("timeout_ms"));
        assert!(refused("scylla://nopass@db/shop").contains("user:password@"));
    }
}
