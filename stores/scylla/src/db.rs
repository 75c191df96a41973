//! The driver underneath: statements prepared once, bound values, reads
//! typed or paged, lightweight transactions and logged batches, and driver
//! errors mapped to [`StoreError`].

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use futures::TryStreamExt;
use scylla::client::session::Session;
use scylla::deserialize::row::DeserializeRow;
use scylla::response::query_result::QueryResult;
use scylla::statement::batch::{Batch, BatchType};
use scylla::statement::prepared::PreparedStatement;
use scylla::value::{CqlValue, Row};
use souk_actors::store::StoreError;
use uuid::Uuid;

/// One bound value (`None` binds null).
pub(crate) type Value = Option<CqlValue>;

/// A value as CQL binds it.
pub(crate) trait Cql {
    fn cql(self) -> Value;
}

impl Cql for Uuid {
    fn cql(self) -> Value {
        Some(CqlValue::Uuid(self))
    }
}

impl Cql for &str {
    fn cql(self) -> Value {
        Some(CqlValue::Text(self.to_owned()))
    }
}

impl Cql for String {
    fn cql(self) -> Value {
        Some(CqlValue::Text(self))
    }
}

impl Cql for i64 {
    fn cql(self) -> Value {
        Some(CqlValue::BigInt(self))
    }
}

impl Cql for i32 {
    fn cql(self) -> Value {
        Some(CqlValue::Int(self))
    }
}

impl Cql for bool {
    fn cql(self) -> Value {
        Some(CqlValue::Boolean(self))
    }
}

impl Cql for Vec<u8> {
    fn cql(self) -> Value {
        Some(CqlValue::Blob(self))
    }
}

/// A list of blobs, as `IN ?` binds keys.
impl Cql for Vec<Vec<u8>> {
    fn cql(self) -> Value {
        Some(CqlValue::List(
            self.into_iter().map(CqlValue::Blob).collect(),
        ))
    }
}

impl<T: Cql> Cql for Option<T> {
    fn cql(self) -> Value {
        self.and_then(Cql::cql)
    }
}

/// The values of one statement, each converted with [`Cql`].
macro_rules! vals {
    ($($value:expr),* $(,)?) => {
        vec![$($crate::db::Cql::cql($value)),*]
    };
}
pub(crate) use vals;

/// One statement with its values, as a batch holds it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Write {
    pub cql: &'static str,
    pub values: Vec<Value>,
}

impl Write {
    pub fn new(cql: &'static str, values: Vec<Value>) -> Self {
        Self { cql, values }
    }
}

/// An id as a `blob` clustering key: its 16 bytes, which sort as the id.
pub(crate) fn key(id: Uuid) -> Vec<u8> {
    id.as_bytes().to_vec()
}

/// A `blob` key back as the id.
pub(crate) fn id(bytes: &[u8]) -> Result<Uuid, StoreError> {
    Uuid::from_slice(bytes).map_err(|_| StoreError::Corrupt("an id key is not 16 bytes".into()))
}

pub(crate) fn unavailable(e: impl fmt::Display) -> StoreError {
    StoreError::Unavailable(format!("ScyllaDB: {e}"))
}

pub(crate) fn corrupt(e: impl fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("ScyllaDB row: {e}"))
}

/// A session and the statements prepared on it.
pub(crate) struct Db {
    pub session: Session,
    prepared: Mutex<HashMap<&'static str, PreparedStatement>>,
}

impl Db {
    pub fn new(session: Session) -> Self {
        Self {
            session,
            prepared: Mutex::default(),
        }
    }

    /// `cql`, prepared on first use.
    async fn prepared(&self, cql: &'static str) -> Result<PreparedStatement, StoreError> {
        let cached = self
            .prepared
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(cql)
            .cloned();
        if let Some(statement) = cached {
            return Ok(statement);
        }
        let statement = self.session.prepare(cql).await.map_err(unavailable)?;
        self.prepared
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(cql, statement.clone());
        Ok(statement)
    }

    pub async fn execute(
        &self,
        cql: &'static str,
        values: Vec<Value>,
    ) -> Result<QueryResult, StoreError> {
        let statement = self.prepared(cql).await?;
        self.session
            .execute_unpaged(&statement, values)
            .await
            .map_err(unavailable)
    }

    /// Every row a bounded read answers (a partition, or `LIMIT`ed).
    pub async fn rows<R>(&self, cql: &'static str, values: Vec<Value>) -> Result<Vec<R>, StoreError>
    where
        R: for<'f> DeserializeRow<'f, 'f>,
    {
        let result = self.execute(cql, values).await?;
        let rows = result.into_rows_result().map_err(corrupt)?;
        let typed = rows.rows::<R>().map_err(corrupt)?;
        typed.map(|row| row.map_err(corrupt)).collect()
    }

    /// The first row, if any.
    pub async fn opt<R>(
        &self,
        cql: &'static str,
        values: Vec<Value>,
    ) -> Result<Option<R>, StoreError>
    where
        R: for<'f> DeserializeRow<'f, 'f>,
    {
        Ok(self.rows(cql, values).await?.into_iter().next())
    }

    /// Every row of a read that may be large (a whole table), page by page.
    pub async fn scan<R>(&self, cql: &'static str, values: Vec<Value>) -> Result<Vec<R>, StoreError>
    where
        R: for<'f, 'm> DeserializeRow<'f, 'm> + Send + 'static,
    {
        let statement = self.prepared(cql).await?;
        let pager = self
            .session
            .execute_iter(statement, values)
            .await
            .map_err(unavailable)?;
        let stream = pager.rows_stream::<R>().map_err(corrupt)?;
        stream.try_collect().await.map_err(unavailable)
    }

    /// A lightweight transaction: whether it applied, and the row it was
    /// checked against when it did not.
    pub async fn lwt(&self, cql: &'static str, values: Vec<Value>) -> Result<Lwt, StoreError> {
        let result = self.execute(cql, values).await?;
        Lwt::from_result(result)
    }

    /// A logged batch: all of it is written or none (on any partitions);
    /// with a condition (all on one partition) it is one lightweight
    /// transaction.
    pub async fn batch(&self, writes: Vec<Write>) -> Result<Lwt, StoreError> {
        if writes.is_empty() {
            return Ok(Lwt::applied());
        }
        let mut batch = Batch::new(BatchType::Logged);
        let mut values = Vec::with_capacity(writes.len());
        for write in writes {
            batch.append_statement(self.prepared(write.cql).await?);
            values.push(write.values);
        }
        let result = self
            .session
            .batch(&batch, values)
            .await
            .map_err(unavailable)?;
        if result.is_rows() {
            Lwt::from_result(result)
        } else {
            Ok(Lwt::applied())
        }
    }
}

/// What a conditional write answered.
#[derive(Debug, Default)]
pub(crate) struct Lwt {
    pub applied: bool,
    /// The existing values the condition was checked against, by column
    /// name, when it did not apply.
    existing: Vec<(String, Value)>,
}

impl Lwt {
    fn applied() -> Self {
        Self {
            applied: true,
            existing: vec![],
        }
    }

    fn from_result(result: QueryResult) -> Result<Self, StoreError> {
        let rows = result.into_rows_result().map_err(corrupt)?;
        let names: Vec<String> = rows
            .column_specs()
            .as_slice()
            .iter()
            .map(|spec| spec.name().to_owned())
            .collect();
        let first: Option<Row> = rows.maybe_first_row::<Row>().map_err(corrupt)?;
        let columns = first.map(|r| r.columns).unwrap_or_default();
        let mut existing: Vec<(String, Value)> = names.into_iter().zip(columns).collect();
        let applied = match existing.iter().position(|(name, _)| name == "[applied]") {
            Some(at) => matches!(existing.remove(at).1, Some(CqlValue::Boolean(true))),
            None => return Err(corrupt("a conditional write answered no [applied]")),
        };
        Ok(Self { applied, existing })
    }

    /// The existing value of `column`, if the write did not apply and it
    /// is not null.
    pub fn column(&self, column: &str) -> Option<&CqlValue> {
        self.existing
            .iter()
            .find(|(name, _)| name == column)
            .and_then(|(_, value)| value.as_ref())
    }
}
