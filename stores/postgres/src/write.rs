//! How the PostgreSQL store writes: in a fenced view every write (or
//! batch of writes under one fence) is a transaction that first checks its
//! owner's epoch, so the check and the write commit together; otherwise a
//! one-statement write runs on its own.

use std::sync::Arc;

use deadpool_postgres::{GenericClient, Object, Transaction};
use souk_actors::store::{Fence, Fencing, Store, StoreError};

use super::PostgresStore;
use super::db::{Params, column, exec, from_bigint, one, opt, pg, rows, to_bigint};
use tokio_postgres::Row;

impl PostgresStore {
    /// Opens a write transaction, with this view's fence checked in it.
    pub(super) async fn begin<'a>(
        &self,
        client: &'a mut Object,
    ) -> Result<Transaction<'a>, StoreError> {
        let tx = client.transaction().await.map_err(pg)?;
        if let Some(fence) = &self.fence {
            check(&tx, fence).await?;
        }
        Ok(tx)
    }

    /// Runs one writing statement (fenced if this view is); returns the
    /// rows it changed.
    pub(super) async fn write_one(&self, sql: &str, params: Params<'_>) -> Result<u64, StoreError> {
        let mut client = self.client().await?;
        if self.fence.is_none() {
            return exec(&client, sql, params).await;
        }
        let tx = self.begin(&mut client).await?;
        let changed = exec(&tx, sql, params).await?;
        tx.commit().await.map_err(pg)?;
        Ok(changed)
    }

    /// As [`Self::write_one`], for a writing statement that answers rows.
    pub(super) async fn write_rows(
        &self,
        sql: &str,
        params: Params<'_>,
    ) -> Result<Vec<Row>, StoreError> {
        let mut client = self.client().await?;
        if self.fence.is_none() {
            return rows(&client, sql, params).await;
        }
        let tx = self.begin(&mut client).await?;
        let found = rows(&tx, sql, params).await?;
        tx.commit().await.map_err(pg)?;
        Ok(found)
    }
}

/// Checks `fence` against its owner's stored epoch, raising it to
/// `fence.epoch` the first time the owner writes under it, or refuses if
/// the stored one is newer. The check takes a shared lock on the owner's
/// row, so writes under one fence do not wait for each other, while a
/// newer owner's raise waits for them to end (and they for it).
async fn check<C: GenericClient + Sync>(c: &C, fence: &Fence) -> Result<(), StoreError> {
    let epoch = to_bigint(fence.epoch, "epoch")?;
    let stored = opt(
        c,
        "SELECT epoch FROM fences WHERE owner = $1 FOR SHARE",
        &[&fence.owner],
    )
    .await?;
    if let Some(row) = &stored {
        let stored: i64 = column(row, 0)?;
        if stored == epoch {
            return Ok(());
        }
        if stored > epoch {
            return Err(fence.refused(from_bigint(stored, "epoch")?));
        }
    }
    let raised = opt(
        c,
        "INSERT INTO fences (owner, epoch) VALUES ($1, $2) ON CONFLICT (owner) DO UPDATE \
         SET epoch = EXCLUDED.epoch WHERE fences.epoch <= EXCLUDED.epoch RETURNING epoch",
        &[&fence.owner, &epoch],
    )
    .await?;
    if raised.is_some() {
        return Ok(());
    }
    let row = one(
        c,
        "SELECT epoch FROM fences WHERE owner = $1",
        &[&fence.owner],
    )
    .await?;
    let stored: i64 = column(&row, 0)?;
    Err(fence.refused(from_bigint(stored, "epoch")?))
}

impl Fencing for PostgresStore {
    fn fenced(&self, fence: Fence) -> Arc<dyn Store> {
        Arc::new(Self {
            fence: Some(Arc::new(fence)),
            ..self.clone()
        })
    }
}
