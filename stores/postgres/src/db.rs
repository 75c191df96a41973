//! Small helpers over a pooled connection or a transaction: statements are
//! prepared once per connection and cached, errors become [`StoreError`]s.

use deadpool_postgres::GenericClient;
use serde::de::DeserializeOwned;
use souk_actors::store::StoreError;
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{FromSql, Json, ToSql};

pub type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// A PostgreSQL error as the ports name it: a broken unique key is a
/// `Conflict`; anything else means the write did not happen.
pub fn pg(e: tokio_postgres::Error) -> StoreError {
    match e.as_db_error() {
        Some(db) if *db.code() == SqlState::UNIQUE_VIOLATION => {
            StoreError::Conflict(db.message().to_owned())
        }
        Some(db) => StoreError::Unavailable(format!("PostgreSQL: {}", db.message())),
        None => StoreError::Unavailable(format!("PostgreSQL: {e}")),
    }
}

/// Runs a statement; returns the rows it changed.
pub async fn exec<C>(c: &C, sql: &str, params: Params<'_>) -> Result<u64, StoreError>
where
    C: GenericClient + Sync,
{
    let statement = c.prepare_cached(sql).await.map_err(pg)?;
    c.execute(&statement, params).await.map_err(pg)
}

/// Every row a query returns.
pub async fn rows<C>(c: &C, sql: &str, params: Params<'_>) -> Result<Vec<Row>, StoreError>
where
    C: GenericClient + Sync,
{
    let statement = c.prepare_cached(sql).await.map_err(pg)?;
    c.query(&statement, params).await.map_err(pg)
}

/// The row a query returns, if any (more than one is an error).
pub async fn opt<C>(c: &C, sql: &str, params: Params<'_>) -> Result<Option<Row>, StoreError>
where
    C: GenericClient + Sync,
{
    let statement = c.prepare_cached(sql).await.map_err(pg)?;
    c.query_opt(&statement, params).await.map_err(pg)
}

/// The one row a query returns.
pub async fn one<C>(c: &C, sql: &str, params: Params<'_>) -> Result<Row, StoreError>
where
    C: GenericClient + Sync,
{
    let statement = c.prepare_cached(sql).await.map_err(pg)?;
    c.query_one(&statement, params).await.map_err(pg)
}

/// Column `index` of `row`; a type mismatch means the stored data is not
/// what this souk wrote.
pub fn column<'a, T: FromSql<'a>>(row: &'a Row, index: usize) -> Result<T, StoreError> {
    row.try_get(index)
        .map_err(|e| StoreError::Corrupt(format!("column {index}: {e}")))
}

/// The JSON document in column `index` of `row`, decoded.
pub fn doc<T: DeserializeOwned>(row: &Row, index: usize) -> Result<T, StoreError> {
    let Json(value) = row
        .try_get::<_, Json<T>>(index)
        .map_err(|e| StoreError::Corrupt(format!("document: {e}")))?;
    Ok(value)
}

/// Decodes column `index` of every row as a document.
pub fn docs<T: DeserializeOwned>(rows: &[Row], index: usize) -> Result<Vec<T>, StoreError> {
    rows.iter().map(|row| doc(row, index)).collect()
}

/// A count from SQL (`bigint`) as a `usize`.
pub fn count(row: &Row) -> Result<usize, StoreError> {
    let n: i64 = column(row, 0)?;
    usize::try_from(n).map_err(|_| StoreError::Corrupt(format!("a negative count: {n}")))
}

/// A time as unix nanoseconds (`bigint`), exact where `timestamptz` would
/// round to microseconds.
pub fn nanos(at: souk_models::Timestamp) -> Result<i64, StoreError> {
    i64::try_from(at.unix_timestamp_nanos())
        .map_err(|_| StoreError::Conflict(format!("{at} is out of range")))
}

/// A unit count, timeline position or epoch as SQL's `bigint`; `what`
/// names it in the error.
pub fn to_bigint(n: u64, what: &str) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::Conflict(format!("{what} {n} is out of range")))
}

/// A `bigint` read back as the unsigned value it was written from.
pub fn from_bigint(n: i64, what: &str) -> Result<u64, StoreError> {
    u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("a negative {what}: {n}")))
}

/// A limit for SQL (`bigint`); a larger one than `bigint` holds means all.
pub fn big(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
