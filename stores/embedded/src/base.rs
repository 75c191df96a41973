//! The committed state a read or a batch starts from, and the rows a batch
//! writes over it.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

use fjall::{Keyspace, Slice};
use souk_actors::store::StoreError;

/// The committed state at one point: a snapshot and each table's keyspace.
#[derive(Clone)]
pub struct Base {
    pub snapshot: fjall::Snapshot,
    pub spaces: Arc<[Keyspace]>,
}

impl Base {
    pub fn space(&self, number: u8) -> Result<&Keyspace, StoreError> {
        self.spaces
            .get(usize::from(number))
            .ok_or_else(|| StoreError::Unavailable(format!("no keyspace for table {number}")))
    }
}

/// A row's value in a batch being written, or `None` where it was removed.
pub type Row = Option<Slice>;

/// One table's rows in a batch, by key bytes (which sort as the keys do).
pub type Rows = BTreeMap<Box<[u8]>, Row>;

/// Every table's rows in a batch, by table number.
pub type Batch = RefCell<Vec<Rows>>;
