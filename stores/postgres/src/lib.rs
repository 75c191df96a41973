//! The PostgreSQL store: the storage ports over a shared PostgreSQL database,
//! so several souk nodes can serve one marketplace.
//!
//! Every port method is one transaction on a pooled connection. A method
//! returns `Ok` only after PostgreSQL has committed, and each connection
//! asks for `synchronous_commit = on`, so an acknowledged write is on the
//! server's disk whatever the server's default. Rules that must hold under
//! concurrent writers (one account per email, one ticket per idempotency key,
//! one winner of a token rotation or timeline append, one taker of an
//! account token) are the database's own unique keys and row locks, so they
//! hold across nodes too.
//!
//! Records are JSON documents (`jsonb`), in the serde form the embedded store
//! writes; the columns beside them are what the ports query by
//! (`schema.sql`, then each later `schema_<version>.sql`). The schema is
//! created and migrated at connect ([`migrate`]).
//!
//! Mail caused by an order (its placement, a timeline entry) is inserted by
//! the statement that stores the order or the entry, joined to the rows it
//! stored: it commits with its cause, and not at all when the cause is a
//! conflict or names no order. The letter that carries an account token is
//! inserted by the statement that stores the token.

mod account_tokens;
mod accounts;
mod batch;
mod carts;
mod catalog;
mod copy_in;
mod copy_out;
mod db;
mod inventory;
mod migrate;
mod notifications;
mod orders;
mod outbox;
mod target;
#[cfg(feature = "testing")]
pub mod testing;
mod tickets;
mod tokens;
mod user_cache;
mod write;

use std::sync::Arc;
use std::time::Duration;

use batch::Batcher;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use souk_actors::store::copy::{CopyStore, Kind, Record};
use souk_actors::store::{Fence, MetaStore, StoreError};
use souk_models::{Cart, Ticket};
use tokio_postgres::NoTls;

pub use migrate::SCHEMA_VERSION;
pub use target::Target;

/// How a [`PostgresStore`] connects.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Connections in the pool, at most. Writers beyond this wait for one.
    pub pool_size: usize,
    /// How long a request waits for a free connection (or to open one)
    /// before it fails as unavailable.
    pub wait: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            pool_size: 16,
            wait: Duration::from_secs(5),
        }
    }
}

/// The PostgreSQL-backed [`souk_actors::Store`]. A clone shares the pool.
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
    target: Target,
    /// Checked by every write of a fenced view (`souk_actors::store::Fencing`).
    fence: Option<Arc<Fence>>,
    users: Arc<user_cache::UserCache>,
    /// The writers that group one kind of write into one statement; `None`
    /// in the writers' own view.
    batches: Option<Arc<Batches>>,
}

/// One writer per kind of hot write (see [`batch`]).
pub(crate) struct Batches {
    orders: Batcher<orders::Placement, ()>,
    appends: Batcher<orders::Append, ()>,
    carts: Batcher<Cart, ()>,
    tickets: Batcher<Ticket, Ticket>,
}

impl Batches {
    fn start(store: &PostgresStore) -> Self {
        Self {
            orders: Batcher::start(
                "place_orders",
                store.clone(),
                |(o, _)| o.id,
                orders::place_orders,
            ),
            appends: Batcher::start(
                "append_entries",
                store.clone(),
                |(id, _, _)| *id,
                orders::append_entries,
            ),
            carts: Batcher::start("put_carts", store.clone(), |c| c.user_id, carts::put_carts),
            tickets: Batcher::start(
                "create_tickets",
                store.clone(),
                |t| (t.user_id, t.idempotency_key.clone()),
                tickets::create_tickets,
            ),
        }
    }
}

impl PostgresStore {
    /// Connects to the database `url` names (`postgres://user@host:port/db`),
    /// creates or migrates its schema, and answers once a connection works.
    /// Fails if the database is unreachable or holds a schema newer than this
    /// souk knows.
    pub async fn connect(url: &str, options: Options) -> Result<Self, StoreError> {
        let target = Target::parse(url)?;
        let manager = Manager::from_config(
            target.config(options.wait),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(options.pool_size.max(1))
            .wait_timeout(Some(options.wait))
            .create_timeout(Some(options.wait))
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|e| StoreError::Unavailable(format!("PostgreSQL pool: {e}")))?;
        let store = Self {
            pool,
            target,
            fence: None,
            users: Arc::default(),
            batches: None,
        };
        let mut client = store.client().await?;
        migrate::run(&mut client).await?;
        Ok(Self {
            batches: Some(Arc::new(Batches::start(&store))),
            ..store
        })
    }

    /// Where this store connects, without its password (for logs).
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Closes the pool: connections in use close when they are returned.
    pub fn close(&self) {
        self.pool.close();
    }

    /// Writes `row` through its kind's writer (with this view's fence, if
    /// fenced), or alone in the writers' own view.
    async fn batched<T: Send + 'static, R: Send + 'static>(
        &self,
        writer: fn(&Batches) -> &Batcher<T, R>,
        run: batch::Runner<T, R>,
        row: T,
    ) -> Result<R, StoreError> {
        match &self.batches {
            Some(batches) => writer(batches).submit(row, self.fence.clone()).await,
            None => run(self.clone(), vec![row])
                .await?
                .pop()
                .unwrap_or_else(|| Err(StoreError::Corrupt("a write went unanswered".into()))),
        }
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool
            .get()
            .await
            .map_err(|e| StoreError::Unavailable(format!("PostgreSQL at {}: {e}", self.target)))
    }
}

#[async_trait::async_trait]
impl CopyStore for PostgresStore {
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

#[async_trait::async_trait]
impl MetaStore for PostgresStore {
    async fn get_meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        let client = self.client().await?;
        let row = db::opt(&client, "SELECT value FROM meta WHERE key = $1", &[&key]).await?;
        row.map(|r| db::column(&r, 0)).transpose()
    }

    async fn put_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.write_one(
            "INSERT INTO meta (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            &[&key, &value],
        )
        .await?;
        Ok(())
    }

    /// Writable when a pooled connection answers and the server is not a
    /// read-only standby.
    async fn check_writable(&self) -> Result<(), StoreError> {
        let client = self.client().await?;
        let row = db::one(&client, "SHOW transaction_read_only", &[]).await?;
        let read_only: String = db::column(&row, 0)?;
        if read_only == "on" {
            return Err(StoreError::Unavailable(format!(
                "PostgreSQL at {} is read-only (a standby?)",
                self.target
            )));
        }
        Ok(())
    }
}
