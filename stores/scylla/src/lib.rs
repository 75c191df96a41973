//! The ScyllaDB store: the storage ports over a ScyllaDB (or Cassandra)
//! cluster, for marketplaces past what one PostgreSQL server carries.
//!
//! Every read and write runs at the URL's consistency (`QUORUM` unless set;
//! [`Target`]), and a method returns `Ok` only once the cluster has
//! acknowledged the write at that level. ScyllaDB has no multi-row
//! transactions, so:
//!
//! - rules that must hold across nodes (one account per email, one ticket per
//!   idempotency key, one winner of a token rotation, one taker of an
//!   account token, one order per id, one writer of each timeline entry,
//!   the address bound, fences) are lightweight transactions (Paxos), each
//!   on one partition;
//! - a write that spans partitions (an inventory change, placing an order's
//!   side records) is one logged batch: all of it lands or none does;
//! - what the ports list is kept in time-bucketed index partitions
//!   ([`series`]) that readers check against the records;
//! - mail that an order or a timeline entry sends is stored just before it
//!   (an acknowledged order or entry always has its mail) and deleted again
//!   if it then loses its race or is fenced; a crash or a failed request in
//!   between can leave mail whose cause was never stored. The mail worker
//!   checks an order's mail against the entry it names and drops it, so it
//!   is not sent ([`outbox`]). Mail a worker takes or finishes is a
//!   lightweight transaction on the whole message;
//! - an account token is stored just before the letter that carries it, so
//!   a failure between the two leaves a token no letter names, never a
//!   letter whose token is missing ([`account_tokens`]).
//!
//! Records are JSON documents in the serde form the other stores write
//! (`schema.rs` says what each table holds). The keyspace and its tables
//! are created and migrated at connect ([`migrate`]).
//!
//! This store was written against the driver's documented 1.x API and has
//! unit tests that need no server; its conformance suite runs only where
//! `SOUK_TEST_SCYLLA` names a node, and none was reachable where it was
//! built.

mod account_tokens;
mod accounts;
mod catalog;
mod copy_in;
mod copy_out;
mod db;
mod docs;
mod inventory;
mod migrate;
mod notifications;
mod orders;
mod outbox;
mod schema;
mod series;
mod target;
#[cfg(feature = "testing")]
pub mod testing;
mod tickets;
mod tokens;

use std::sync::Arc;

use scylla::client::execution_profile::ExecutionProfile;
use scylla::client::session_builder::SessionBuilder;
use scylla::policies::load_balancing::DefaultPolicy;
use souk_actors::store::copy::{CopyStore, Kind, Record};
use souk_actors::store::{Fence, Fencing, MetaStore, Store, StoreError};

use db::{Db, Lwt, Write, vals};

pub use migrate::SCHEMA_VERSION;
pub use target::{Replication, Target};

/// Point reads in flight at once when a start-up list checks every record
/// an index names.
const READS_AT_ONCE: usize = 64;

/// The ScyllaDB-backed [`souk_actors::Store`]. A clone shares the session.
#[derive(Clone)]
pub struct ScyllaStore {
    db: Arc<Db>,
    target: Arc<Target>,
    /// Checked by every write of a fenced view.
    fence: Option<Arc<Fence>>,
}

impl ScyllaStore {
    /// Connects to the cluster `url` names, creates the keyspace if it is
    /// missing, creates or migrates its tables, and answers once the nodes
    /// agree on the schema. Fails if no node answers or the keyspace holds
    /// a schema newer than this souk knows.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let target = Target::parse(url)?;
        let mut policy = DefaultPolicy::builder().token_aware(target.token_aware);
        if let Some(dc) = &target.local_dc {
            policy = policy
                .prefer_datacenter(dc.clone())
                .permit_dc_failover(false);
        }
        let profile = ExecutionProfile::builder()
            .consistency(target.consistency)
            .serial_consistency(Some(target.serial_consistency))
            .request_timeout(Some(target.timeout))
            .load_balancing_policy(policy.build())
            .build();
        let mut builder = SessionBuilder::new()
            .known_nodes(&target.nodes)
            .connection_timeout(target.timeout)
            // Write timestamps come from the coordinators (the driver's
            // default), the same clocks lightweight transactions use: a
            // client clock ahead of the cluster's would make a later
            // conditional write lose to an earlier plain one.
            .default_execution_profile_handle(profile.into_handle());
        if let Some((user, password)) = &target.credentials {
            builder = builder.user(user, password);
        }
        let session = builder
            .build()
            .await
            .map_err(|e| db::unavailable(format!("{target}: {e}")))?;
        // Creates the keyspace if need be and makes it the session's.
        migrate::run(&session, &target).await?;
        Ok(Self {
            db: Arc::new(Db::new(session)),
            target: Arc::new(target),
            fence: None,
        })
    }

    /// Where this store connects, without its password (for logs).
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Before a write of a fenced view: a lightweight transaction on the
    /// owner's row refuses an older epoch and raises the stored one. The
    /// write follows it; see `docs/storage.md` for the window this leaves.
    async fn check_fence(&self) -> Result<(), StoreError> {
        let Some(fence) = &self.fence else {
            return Ok(());
        };
        let epoch = i64::try_from(fence.epoch)
            .map_err(|_| StoreError::Conflict("a fence epoch past i64".into()))?;
        for _ in 0..8 {
            let raised = self
                .db
                .lwt(
                    "UPDATE fences SET epoch = ? WHERE owner = ? IF epoch <= ?",
                    vals![epoch, fence.owner.as_str(), epoch],
                )
                .await?;
            if raised.applied {
                return Ok(());
            }
            if let Some(stored) = raised.column("epoch").and_then(|v| v.as_bigint()) {
                return Err(fence.refused(u64::try_from(stored).unwrap_or(0)));
            }
            let created = self
                .db
                .lwt(
                    "INSERT INTO fences (owner, epoch) VALUES (?, ?) IF NOT EXISTS",
                    vals![fence.owner.as_str(), epoch],
                )
                .await?;
            if created.applied {
                return Ok(());
            }
        }
        Err(StoreError::Unavailable(format!(
            "the fence of {} kept changing",
            fence.owner
        )))
    }

    /// One write, after the fence check.
    async fn write(&self, cql: &'static str, values: Vec<db::Value>) -> Result<(), StoreError> {
        self.check_fence().await?;
        self.db.execute(cql, values).await?;
        Ok(())
    }

    /// A logged batch, after the fence check.
    async fn batch(&self, writes: Vec<Write>) -> Result<Lwt, StoreError> {
        self.check_fence().await?;
        self.db.batch(writes).await
    }

    /// A lightweight transaction, after the fence check.
    async fn lwt(&self, cql: &'static str, values: Vec<db::Value>) -> Result<Lwt, StoreError> {
        self.check_fence().await?;
        self.db.lwt(cql, values).await
    }
}

impl Fencing for ScyllaStore {
    fn fenced(&self, fence: Fence) -> Arc<dyn Store> {
        Arc::new(Self {
            fence: Some(Arc::new(fence)),
            ..self.clone()
        })
    }

    /// The fence check (a lightweight transaction) and the write are two
    /// requests: an older owner's write that passed its check may land up
    /// to one request time later.
    fn fence_settle(&self) -> std::time::Duration {
        self.target.timeout
    }
}

#[async_trait::async_trait]
impl CopyStore for ScyllaStore {
    async fn export(
        &self,
        kind: Kind,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Record>, StoreError> {
        self.export_kind(kind, after, limit).await
    }

    async fn import(&self, records: &[Record]) -> Result<(), StoreError> {
        self.import_records(records).await
    }

    async fn count(&self, kind: Kind) -> Result<u64, StoreError> {
        self.count_kind(kind).await
    }
}

/// A setting, replacing its key's.
fn meta_write(key: &str, value: &str) -> Write {
    Write::new(
        "INSERT INTO meta (key, value) VALUES (?, ?)",
        vals![key, value],
    )
}

#[async_trait::async_trait]
impl MetaStore for ScyllaStore {
    async fn get_meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = self
            .db
            .opt("SELECT value FROM meta WHERE key = ?", vals![key])
            .await?;
        Ok(row.map(|(value,)| value))
    }

    async fn put_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let write = meta_write(key, value);
        self.write(write.cql, write.values).await
    }

    /// Writable when a quorum of replicas answers a read of the schema
    /// version.
    async fn check_writable(&self) -> Result<(), StoreError> {
        migrate::current(&self.db.session).await.map(|_| ())
    }
}
