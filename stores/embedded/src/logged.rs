//! Write transactions that record what they change, for the write-ahead log.
//!
//! Store code writes through [`Tx`] and its [`Table`]s, which keep each insert
//! and remove in the batch's rows (read before everything else by the batch's
//! own writes) and append it, as raw key and value bytes, to the batch's log
//! record. Once the record is durable the writer moves the rows into the
//! in-memory generation ([`super::memtable`]). [`replay`] applies a record to
//! redb after a crash, and [`apply_rows`] a frozen generation at a checkpoint.

use std::borrow::Borrow;
use std::cell::RefCell;
use std::ops::Deref;
use std::sync::Arc;

use redb::{Key, TableDefinition, TableHandle, Value, WriteTransaction};
use souk_actors::store::StoreError;

use super::memtable::{Compare, MemKey, Row, Rows, Tables, empty_tables};
use super::read_table::{Guard, ReadTable};
use super::tables::*;
use super::view::{Batch, View};

const PUT: u8 = 1;
const DELETE: u8 = 2;

/// Something done with each table definition; see [`visit`].
trait PerTable {
    type Out;
    fn run<K: Key + 'static, V: Value + 'static>(self, def: TableDefinition<K, V>) -> Self::Out;
}

/// Number of tables in [`visit`].
pub const TABLES: u8 = 20;

/// Runs `p` on the table with log number `index`. A table's number is written
/// in the log, so numbers never change: new tables go at the end.
fn visit<P: PerTable>(index: u8, p: P) -> Option<P::Out> {
    Some(match index {
        0 => p.run(USERS),
        1 => p.run(USERS_BY_EMAIL),
        2 => p.run(ADDRESSES),
        3 => p.run(REFRESH_TOKENS),
        4 => p.run(REVOKED_FAMILIES),
        5 => p.run(CATEGORIES),
        6 => p.run(PRODUCTS),
        7 => p.run(STOCK),
        8 => p.run(HOLDS),
        9 => p.run(CARTS),
        10 => p.run(ORDERS),
        11 => p.run(ORDER_ENTRIES),
        12 => p.run(BUYER_ORDERS),
        13 => p.run(SELLER_ORDERS),
        14 => p.run(UNPAID_ORDERS),
        15 => p.run(TICKETS),
        16 => p.run(TICKET_KEYS),
        17 => p.run(QUEUED_TICKETS),
        18 => p.run(PRODUCT_VECTORS),
        19 => p.run(META),
        _ => return None,
    })
}

/// Whether a table is the one named.
struct Named<'a>(&'a str);

impl PerTable for Named<'_> {
    type Out = bool;
    fn run<K: Key + 'static, V: Value + 'static>(self, def: TableDefinition<K, V>) -> bool {
        def.name() == self.0
    }
}

pub(super) fn number(name: &str) -> Result<u8, StoreError> {
    (0..TABLES)
        .find(|i| visit(*i, Named(name)) == Some(true))
        .ok_or_else(|| StoreError::Unavailable(format!("table {name} has no log number")))
}

/// How a table orders its keys.
struct KeyOrder;

impl PerTable for KeyOrder {
    type Out = Compare;
    fn run<K: Key + 'static, V: Value + 'static>(self, _: TableDefinition<K, V>) -> Compare {
        if K::type_name() == <&str>::type_name() {
            // UTF-8 sorts bytewise as `str` does; redb's own order checks
            // both sides are UTF-8 on every comparison.
            return |a: &[u8], b: &[u8]| a.cmp(b);
        }
        K::compare
    }
}

/// The key order of the table with log number `index` (bytewise if none).
pub(super) fn compare_of(index: u8) -> Compare {
    visit(index, KeyOrder).unwrap_or(|a: &[u8], b: &[u8]| a.cmp(b))
}

struct Create<'a>(&'a WriteTransaction);

impl PerTable for Create<'_> {
    type Out = Result<(), StoreError>;
    fn run<K: Key + 'static, V: Value + 'static>(self, def: TableDefinition<K, V>) -> Self::Out {
        self.0.open_table(def).map(drop).map_err(io)
    }
}

/// Creates every table so readers never meet a missing one.
pub fn create_all(txn: &WriteTransaction) -> Result<(), StoreError> {
    for index in 0..TABLES {
        visit(index, Create(txn)).unwrap_or(Ok(()))?;
    }
    Ok(())
}

/// Log number of `USERS`, whose changed keys a batch also lists.
const USERS_TABLE: u8 = 0;

/// A batch being written: its rows so far, its log record and the accounts
/// it changed.
pub struct Tx {
    view: View,
    batch: Batch,
    log: RefCell<Vec<u8>>,
    users: RefCell<Vec<u128>>,
    /// For each write of the job being applied: its table, its key and what
    /// it replaced in `batch` (`None` if the batch did not hold the key).
    undo: RefCell<Vec<(u8, MemKey, Option<Row>)>>,
}

/// Where one job's writes start in a [`Tx`]; see [`Tx::rollback`].
pub struct Savepoint {
    log: usize,
    users: usize,
    undo: usize,
}

impl Tx {
    /// A batch over `view`, which holds every batch before it.
    pub fn new(view: View) -> Self {
        Self {
            view,
            batch: RefCell::new(empty_tables(TABLES)),
            log: RefCell::new(Vec::new()),
            users: RefCell::new(Vec::new()),
            undo: RefCell::new(Vec::new()),
        }
    }

    /// Marks where the next job's writes start.
    pub fn savepoint(&self) -> Savepoint {
        Savepoint {
            log: self.log.borrow().len(),
            users: self.users.borrow().len(),
            undo: self.undo.borrow().len(),
        }
    }

    /// Keeps the writes since `point`: they can no longer be rolled back.
    pub fn release(&self, point: Savepoint) {
        self.undo.borrow_mut().truncate(point.undo);
    }

    /// Undoes every write since `point`, newest first: the batch's rows, its
    /// log record and its changed accounts are as they were at `point`.
    pub fn rollback(&self, point: Savepoint) {
        let mut batch = self.batch.borrow_mut();
        let mut undo = self.undo.borrow_mut();
        for (table, key, replaced) in undo.drain(point.undo..).rev() {
            let rows = &mut batch[usize::from(table)];
            match replaced {
                Some(row) => drop(rows.insert(key, row)),
                None => drop(rows.remove(&key)),
            }
        }
        self.log.borrow_mut().truncate(point.log);
        self.users.borrow_mut().truncate(point.users);
    }

    /// The generation the rows go to, the rows, the encoded changes and the
    /// ids of the accounts changed (for [`super::user_cache`]).
    pub fn finish(self) -> (View, Tables, Vec<u8>, Vec<u128>) {
        (
            self.view,
            self.batch.into_inner(),
            self.log.into_inner(),
            self.users.into_inner(),
        )
    }

    /// Opens a table for reading and logged writing.
    pub fn open_table<K: Key + 'static, V: Value + 'static>(
        &self,
        def: TableDefinition<K, V>,
    ) -> Result<Table<'_, K, V>, StoreError> {
        Ok(Table {
            read: ReadTable::open(&self.view, u64::MAX, Some(&self.batch), def)?,
            batch: &self.batch,
            log: &self.log,
            users: &self.users,
            undo: &self.undo,
        })
    }
}

/// A table of a [`Tx`]: reads through `Deref`, writes through `insert` and
/// `remove`, which record themselves.
pub struct Table<'t, K: Key + 'static, V: Value + 'static> {
    read: ReadTable<'t, K, V>,
    batch: &'t Batch,
    log: &'t RefCell<Vec<u8>>,
    users: &'t RefCell<Vec<u128>>,
    undo: &'t RefCell<Vec<(u8, MemKey, Option<Row>)>>,
}

impl<'t, K: Key + 'static, V: Value + 'static> Deref for Table<'t, K, V> {
    type Target = ReadTable<'t, K, V>;
    fn deref(&self) -> &Self::Target {
        &self.read
    }
}

/// Notes a changed account.
fn touched(table: u8, users: &RefCell<Vec<u128>>, key: &[u8]) {
    if table == USERS_TABLE
        && let Ok(id) = <[u8; 16]>::try_from(key)
    {
        users.borrow_mut().push(u128::from_le_bytes(id));
    }
}

impl<K: Key + 'static, V: Value + 'static> Table<'_, K, V> {
    fn put(&mut self, key: &[u8], row: Row) {
        let number = self.read.number();
        touched(number, self.users, key);
        let value = row.as_deref();
        record(
            &mut self.log.borrow_mut(),
            number,
            if value.is_some() { PUT } else { DELETE },
            key,
            value,
        );
        let k = MemKey {
            key: key.into(),
            seq: 0,
            cmp: self.read.cmp(),
        };
        let replaced = self.batch.borrow_mut()[usize::from(number)].insert(k.clone(), row);
        self.undo.borrow_mut().push((number, k, replaced));
    }

    pub fn insert<'k, 'v>(
        &mut self,
        key: impl Borrow<K::SelfType<'k>>,
        value: impl Borrow<V::SelfType<'v>>,
    ) -> Result<(), StoreError> {
        let key = K::as_bytes(key.borrow());
        let value: Arc<[u8]> = V::as_bytes(value.borrow()).as_ref().into();
        self.put(key.as_ref(), Some(value));
        Ok(())
    }

    /// Removes `key`, answering what it held.
    pub fn remove<'k>(
        &mut self,
        key: impl Borrow<K::SelfType<'k>>,
    ) -> Result<Option<Guard<V>>, StoreError> {
        let old = self.read.get(key.borrow())?;
        if old.is_some() {
            let key = K::as_bytes(key.borrow());
            self.put(key.as_ref(), None);
        }
        Ok(old)
    }
}

/// One change: table, op, key length and key, then for a put the value's.
fn record(log: &mut Vec<u8>, table: u8, op: u8, key: &[u8], value: Option<&[u8]>) {
    log.push(table);
    log.push(op);
    log.extend_from_slice(&(key.len() as u32).to_le_bytes());
    log.extend_from_slice(key);
    if let Some(value) = value {
        log.extend_from_slice(&(value.len() as u32).to_le_bytes());
        log.extend_from_slice(value);
    }
}

struct Apply<'a> {
    txn: &'a WriteTransaction,
    op: u8,
    key: &'a [u8],
    value: &'a [u8],
}

impl PerTable for Apply<'_> {
    type Out = Result<(), StoreError>;
    fn run<K: Key + 'static, V: Value + 'static>(self, def: TableDefinition<K, V>) -> Self::Out {
        let mut table = self.txn.open_table(def).map_err(io)?;
        let key = K::from_bytes(self.key);
        if self.op == PUT {
            table.insert(key, V::from_bytes(self.value)).map_err(io)?;
        } else {
            table.remove(key).map_err(io)?;
        }
        Ok(())
    }
}

struct ApplyRows<'a> {
    txn: &'a WriteTransaction,
    rows: &'a [(Arc<[u8]>, Row)],
}

impl PerTable for ApplyRows<'_> {
    type Out = Result<(), StoreError>;
    fn run<K: Key + 'static, V: Value + 'static>(self, def: TableDefinition<K, V>) -> Self::Out {
        let mut table = self.txn.open_table(def).map_err(io)?;
        for (key, row) in self.rows {
            let key = K::from_bytes(key);
            match row {
                Some(value) => drop(table.insert(key, V::from_bytes(value)).map_err(io)?),
                None => drop(table.remove(key).map_err(io)?),
            }
        }
        Ok(())
    }
}

/// Writes each table's rows (by log number) into redb.
pub fn apply_rows(txn: &WriteTransaction, tables: &[Rows]) -> Result<(), StoreError> {
    for (index, rows) in (0..TABLES).zip(tables) {
        if !rows.is_empty() {
            visit(index, ApplyRows { txn, rows }).unwrap_or(Ok(()))?;
        }
    }
    Ok(())
}

/// Reads a batch's records in order.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], StoreError> {
        let (head, rest) = self
            .0
            .split_at_checked(n)
            .ok_or_else(|| StoreError::Corrupt("truncated write-ahead log record".into()))?;
        self.0 = rest;
        Ok(head)
    }

    fn bytes(&mut self) -> Result<&'a [u8], StoreError> {
        let mut len = [0u8; 4];
        len.copy_from_slice(self.take(4)?);
        self.take(u32::from_le_bytes(len) as usize)
    }
}

/// Applies one batch's recorded changes, in order.
pub fn replay(txn: &WriteTransaction, log: &[u8]) -> Result<(), StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("write-ahead log record: {what}"));
    let mut cursor = Cursor(log);
    while !cursor.0.is_empty() {
        let head = cursor.take(2)?;
        let (table, op) = (head[0], head[1]);
        let key = cursor.bytes()?;
        let value = match op {
            PUT => cursor.bytes()?,
            DELETE => &[],
            _ => return Err(corrupt("unknown operation")),
        };
        visit(
            table,
            Apply {
                txn,
                op,
                key,
                value,
            },
        )
        .ok_or_else(|| corrupt("unknown table"))??;
    }
    Ok(())
}
