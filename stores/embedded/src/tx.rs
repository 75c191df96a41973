//! A batch being written: the rows of every write in one group commit.
//!
//! Store code writes through [`Tx`] and its [`Table`]s. Each insert and
//! remove lands in the batch's rows, which the batch's later reads see before
//! the committed state; the writer then commits the rows to fjall as one
//! atomic, synced batch. Each write of the group can be undone on its own
//! ([`Tx::rollback`]), so a write that fails part-way leaves nothing behind.

use std::borrow::Borrow;
use std::cell::RefCell;
use std::ops::Deref;

use fjall::Slice;
use souk_actors::store::StoreError;

use super::base::{Base, Batch, Row, Rows};
use super::codec::{Key, TableDef, Value};
use super::read_table::{Guard, ReadTable};
use super::tables::{TABLES, USERS};

/// One write's change to the batch: its table, its key and what it replaced
/// (`None` if the batch did not hold the key).
type Undo = (u8, Box<[u8]>, Option<Row>);

pub struct Tx {
    base: Base,
    batch: Batch,
    users: RefCell<Vec<u128>>,
    undo: RefCell<Vec<Undo>>,
}

/// Where one write's changes start in a [`Tx`]; see [`Tx::rollback`].
pub struct Savepoint {
    users: usize,
    undo: usize,
}

impl Tx {
    /// A batch over the committed state `base`.
    pub fn new(base: Base) -> Self {
        Self {
            base,
            batch: RefCell::new((0..TABLES).map(|_| Rows::new()).collect()),
            users: RefCell::new(Vec::new()),
            undo: RefCell::new(Vec::new()),
        }
    }

    /// The committed state under the batch, its rows by table number, and
    /// the ids of the accounts changed (for [`super::user_cache`]).
    pub fn finish(self) -> (Base, Vec<Rows>, Vec<u128>) {
        (self.base, self.batch.into_inner(), self.users.into_inner())
    }

    /// Opens a table for reading and writing.
    pub fn open_table<K: Key, V: Value>(
        &self,
        def: TableDef<K, V>,
    ) -> Result<Table<'_, K, V>, StoreError> {
        Ok(Table {
            read: ReadTable::open(&self.base, Some(&self.batch), def)?,
            tx: self,
        })
    }

    /// Marks where the next write's changes start.
    pub fn savepoint(&self) -> Savepoint {
        Savepoint {
            users: self.users.borrow().len(),
            undo: self.undo.borrow().len(),
        }
    }

    /// Keeps the changes since `point`: they can no longer be rolled back.
    pub fn release(&self, point: Savepoint) {
        self.undo.borrow_mut().truncate(point.undo);
    }

    /// Undoes every change since `point`, newest first: the batch's rows and
    /// changed accounts are as they were at `point`.
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
        self.users.borrow_mut().truncate(point.users);
    }

    fn put(&self, table: u8, key: Vec<u8>, row: Row) {
        if table == USERS.number {
            self.users
                .borrow_mut()
                .push(<u128 as Value>::from_bytes(&key));
        }
        let key: Box<[u8]> = key.into();
        let replaced = self.batch.borrow_mut()[usize::from(table)].insert(key.clone(), row);
        self.undo.borrow_mut().push((table, key, replaced));
    }
}

/// A table of a [`Tx`]: reads through `Deref`, writes through `insert` and
/// `remove`.
pub struct Table<'t, K: Key, V: Value> {
    read: ReadTable<'t, K, V>,
    tx: &'t Tx,
}

impl<'t, K: Key, V: Value> Deref for Table<'t, K, V> {
    type Target = ReadTable<'t, K, V>;
    fn deref(&self) -> &Self::Target {
        &self.read
    }
}

impl<K: Key, V: Value> Table<'_, K, V> {
    pub fn insert<'k, 'v>(
        &mut self,
        key: impl Borrow<K::SelfType<'k>>,
        value: impl Borrow<V::SelfType<'v>>,
    ) -> Result<(), StoreError> {
        let value = Slice::from(V::as_bytes(value.borrow()));
        self.tx
            .put(self.read.number(), K::as_bytes(key.borrow()), Some(value));
        Ok(())
    }

    /// Removes `key`, answering what it held.
    pub fn remove<'k>(
        &mut self,
        key: impl Borrow<K::SelfType<'k>>,
    ) -> Result<Option<Guard<V>>, StoreError> {
        let old = self.read.get(key.borrow())?;
        if old.is_some() {
            self.tx
                .put(self.read.number(), K::as_bytes(key.borrow()), None);
        }
        Ok(old)
    }
}
