//! Versioned schema migrations, applied at connect.
//!
//! `souk_migrations` records each version applied. Connecting applies the
//! ones missing, in order, in one transaction under an advisory lock, so
//! nodes starting together migrate once; a database already at a version
//! newer than this souk knows is refused rather than written to.

use souk_actors::store::StoreError;

use super::db::{exec, one, pg};

/// Each migration, by version. Append only: a released migration never
/// changes.
const MIGRATIONS: &[(i32, &str)] = &[
    (1, include_str!("schema.sql")),
    (2, include_str!("schema_2.sql")),
    (3, include_str!("schema_3.sql")),
    (4, include_str!("schema_4.sql")),
];

/// The schema version this souk writes.
pub const SCHEMA_VERSION: i32 = MIGRATIONS[MIGRATIONS.len() - 1].0;

/// Key of the advisory lock held while migrating ("souk" in ASCII).
const LOCK: i64 = 0x736f_756b;

/// Brings the database's schema to [`SCHEMA_VERSION`].
pub async fn run(client: &mut deadpool_postgres::Object) -> Result<(), StoreError> {
    let tx = client.transaction().await.map_err(pg)?;
    exec(&tx, "SELECT pg_advisory_xact_lock($1)", &[&LOCK]).await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS souk_migrations (
             version    integer PRIMARY KEY,
             applied_at timestamptz NOT NULL DEFAULT now()
         )",
    )
    .await
    .map_err(pg)?;
    let row = one(
        &tx,
        "SELECT coalesce(max(version), 0) FROM souk_migrations",
        &[],
    )
    .await?;
    let current: i32 = super::db::column(&row, 0)?;
    check(current)?;
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        tx.batch_execute(sql).await.map_err(|e| {
            StoreError::Unavailable(format!("schema migration {version} failed: {}", pg(e)))
        })?;
        exec(
            &tx,
            "INSERT INTO souk_migrations (version) VALUES ($1)",
            &[version],
        )
        .await?;
        tracing::info!(version, "PostgreSQL schema migrated");
    }
    tx.commit().await.map_err(pg)
}

/// Refuses a schema newer than this souk's.
fn check(current: i32) -> Result<(), StoreError> {
    if current > SCHEMA_VERSION {
        return Err(StoreError::Unavailable(format!(
            "the database's schema is version {current}, newer than this souk knows \
             ({SCHEMA_VERSION}); run a souk at least as new as the one that migrated it"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_count_up_from_one() {
        for (i, (version, _)) in MIGRATIONS.iter().enumerate() {
            assert_eq!(usize::try_from(*version).ok(), Some(i + 1));
        }
    }

    #[test]
    fn a_newer_schema_is_refused_and_an_older_one_is_not() {
        let err = check(SCHEMA_VERSION + 1).expect_err("refused");
        assert!(
            err.to_string().contains("newer than this souk knows"),
            "{err}"
        );
        assert!(check(SCHEMA_VERSION).is_ok());
        assert!(check(0).is_ok());
    }

    /// A database at `version` as a souk of that schema made it, plus
    /// `rows` (SQL run after its migrations).
    async fn database_at(version: usize, rows: &str) -> Option<crate::testing::TestDatabase> {
        let database = crate::testing::TestDatabase::create().await?;
        let mut sql = String::from(
            "CREATE TABLE souk_migrations (version integer PRIMARY KEY, \
             applied_at timestamptz NOT NULL DEFAULT now());",
        );
        for (v, migration) in &MIGRATIONS[..version] {
            sql.push_str(&format!(
                "{migration}; INSERT INTO souk_migrations (version) VALUES ({v});"
            ));
        }
        database.execute(&format!("{sql} {rows}")).await;
        Some(database)
    }

    /// Connects to `database` and checks it is at the latest version.
    async fn migrated(database: &crate::testing::TestDatabase) {
        database.store().await;
        let versions = "SELECT version::text FROM souk_migrations ORDER BY version";
        let expected: Vec<String> = MIGRATIONS.iter().map(|(v, _)| v.to_string()).collect();
        assert_eq!(database.query_strings(versions).await, expected);
        let notes = "SELECT count(*)::text FROM notifications";
        assert_eq!(database.query_strings(notes).await, ["0"]);
    }

    /// A database a souk of schema 1 made is brought to the latest version
    /// at connect, its records kept.
    #[tokio::test]
    async fn a_version_1_database_is_migrated_at_connect() {
        let kept = "INSERT INTO meta (key, value) VALUES ('kept', 'yes')";
        let Some(database) = database_at(1, kept).await else {
            return;
        };
        migrated(&database).await;
        let kept = "SELECT value FROM meta WHERE key = 'kept'";
        assert_eq!(database.query_strings(kept).await, ["yes"]);
        let outbox = "SELECT count(*)::text FROM outbox";
        assert_eq!(database.query_strings(outbox).await, ["0"]);
        let tokens = "SELECT count(*)::text FROM account_tokens";
        assert_eq!(database.query_strings(tokens).await, ["0"]);
    }

    /// A database a souk of schema 2 made keeps its mail.
    #[tokio::test]
    async fn a_version_2_database_is_migrated_at_connect() {
        let mail = "INSERT INTO outbox (id, due_ns, created_ns, doc) \
                    VALUES (gen_random_uuid(), 1, 1, '{}')";
        let Some(database) = database_at(2, mail).await else {
            return;
        };
        migrated(&database).await;
        let outbox = "SELECT count(*)::text FROM outbox";
        assert_eq!(database.query_strings(outbox).await, ["1"]);
        let tokens = "SELECT count(*)::text FROM account_tokens";
        assert_eq!(database.query_strings(tokens).await, ["0"]);
    }

    /// A database a souk of schema 3 made keeps its account tokens.
    #[tokio::test]
    async fn a_version_3_database_is_migrated_at_connect() {
        let token = "INSERT INTO account_tokens (hash, user_id, purpose, expires_ns, doc) \
                     VALUES ('ab01', gen_random_uuid(), 'verify_email', 1, '{}')";
        let Some(database) = database_at(3, token).await else {
            return;
        };
        migrated(&database).await;
        let tokens = "SELECT hash FROM account_tokens";
        assert_eq!(database.query_strings(tokens).await, ["ab01"]);
    }
}
