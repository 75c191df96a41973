//! Creating and migrating the keyspace at connect: the keyspace unless it
//! exists, then each schema version it lacks, recorded in
//! `souk_migrations`. A keyspace at a version newer than this souk knows is
//! refused. Every statement is idempotent (`IF NOT EXISTS`), so two nodes
//! starting at once both succeed.

use scylla::client::session::Session;
use souk_actors::store::StoreError;
use time::OffsetDateTime;

use super::db::{corrupt, unavailable};
use super::schema::{MIGRATIONS, MIGRATIONS_TABLE, keyspace};
use super::target::Target;

/// The schema version this build writes.
pub const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

pub(crate) async fn run(session: &Session, target: &Target) -> Result<(), StoreError> {
    let ddl = |e| unavailable(format!("creating the schema in {target}: {e}"));
    session
        .query_unpaged(keyspace(&target.keyspace, &target.replication.cql()), ())
        .await
        .map_err(ddl)?;
    session
        .use_keyspace(&target.keyspace, false)
        .await
        .map_err(|e| unavailable(format!("{target}: {e}")))?;
    session
        .query_unpaged(MIGRATIONS_TABLE, ())
        .await
        .map_err(ddl)?;
    let current = current(session).await?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::Unavailable(format!(
            "keyspace {} holds schema version {current}, newer than this souk knows \
             ({SCHEMA_VERSION}): upgrade souk",
            target.keyspace
        )));
    }
    for version in current + 1..=SCHEMA_VERSION {
        let index = usize::try_from(version - 1).unwrap_or_default();
        for statement in MIGRATIONS[index] {
            session.query_unpaged(*statement, ()).await.map_err(ddl)?;
        }
        let now = i64::try_from(OffsetDateTime::now_utc().unix_timestamp_nanos()).unwrap_or(0);
        session
            .query_unpaged(
                "INSERT INTO souk_migrations (scope, version, applied_ns) VALUES ('schema', ?, ?)",
                (version, now),
            )
            .await
            .map_err(ddl)?;
        tracing::info!(version, keyspace = %target.keyspace, "ScyllaDB schema migrated");
    }
    session
        .await_schema_agreement()
        .await
        .map_err(|e| unavailable(format!("waiting for the nodes to agree on the schema: {e}")))?;
    Ok(())
}

/// The keyspace's schema version (0 before the first migration).
pub(crate) async fn current(session: &Session) -> Result<i32, StoreError> {
    let result = session
        .query_unpaged(
            "SELECT version FROM souk_migrations WHERE scope = 'schema' \
             ORDER BY version DESC LIMIT 1",
            (),
        )
        .await
        .map_err(unavailable)?;
    let rows = result.into_rows_result().map_err(corrupt)?;
    let row: Option<(i32,)> = rows.maybe_first_row().map_err(corrupt)?;
    Ok(row.map_or(0, |(version,)| version))
}
