//! Rows written since the last checkpoint, kept in memory over redb.
//!
//! The writer thread puts each durable batch's rows here instead of into
//! redb's B-trees, tagged with the batch's number; a reader sees the newest
//! version at or below the batch it started at. About once a second the
//! writer freezes the current generation and starts a new one, and the
//! checkpoint thread applies the frozen rows' last versions to redb in one
//! transaction. So redb's copy-on-write page work is paid once per
//! checkpoint, and a row written and deleted within it (a queued ticket, a
//! stock hold, an unpaid-order deadline) never reaches redb at all.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::{Arc, RwLock};

use souk_actors::store::StoreError;

/// Orders one table's key bytes as redb orders that table's keys.
pub type Compare = fn(&[u8], &[u8]) -> Ordering;

/// A row's value, or `None` where it was removed.
pub type Row = Option<Arc<[u8]>>;

/// Keys and their rows, in key order.
pub type Rows = Vec<(Arc<[u8]>, Row)>;

/// One version of one key: newer versions sort first.
#[derive(Clone)]
pub struct MemKey {
    pub key: Arc<[u8]>,
    pub seq: u64,
    pub cmp: Compare,
}

impl MemKey {
    fn probe(key: &[u8], seq: u64, cmp: Compare) -> Self {
        Self {
            key: key.into(),
            seq,
            cmp,
        }
    }
}

impl PartialEq for MemKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for MemKey {}

impl PartialOrd for MemKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for MemKey {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.cmp)(&self.key, &other.key).then(other.seq.cmp(&self.seq))
    }
}

/// One table's versions.
pub type Versions = BTreeMap<MemKey, Row>;

/// Every table's versions, by the table's log number.
pub type Tables = Vec<Versions>;

pub fn empty_tables(count: u8) -> Tables {
    (0..count).map(|_| Versions::new()).collect()
}

/// The newest version of `key` at or below `seq`: `Some(None)` if it was
/// removed, `None` if this layer does not know the key.
pub fn get_in(map: &Versions, key: &[u8], seq: u64, cmp: Compare) -> Option<Row> {
    let from = MemKey::probe(key, seq, cmp);
    let (found, row) = map.range(from..).next()?;
    (cmp(&found.key, key) == Ordering::Equal).then(|| row.clone())
}

/// The newest version at or below `seq` of every key within the bounds, in
/// key order, removals included.
pub fn range_in(
    map: &Versions,
    lower: Bound<&[u8]>,
    upper: Bound<&[u8]>,
    seq: u64,
    cmp: Compare,
) -> Rows {
    let lower = match lower {
        Bound::Included(k) => Bound::Included(MemKey::probe(k, u64::MAX, cmp)),
        Bound::Excluded(k) => Bound::Excluded(MemKey::probe(k, 0, cmp)),
        Bound::Unbounded => Bound::Unbounded,
    };
    let upper = match upper {
        Bound::Included(k) => Bound::Included(MemKey::probe(k, 0, cmp)),
        Bound::Excluded(k) => Bound::Excluded(MemKey::probe(k, u64::MAX, cmp)),
        Bound::Unbounded => Bound::Unbounded,
    };
    if matches!((&lower, &upper), (Bound::Included(l) | Bound::Excluded(l), Bound::Included(u) | Bound::Excluded(u)) if l > u)
    {
        return Vec::new();
    }
    newest(map.range((lower, upper)), seq)
}

/// The first (newest) version at or below `seq` of each key that `versions`,
/// in map order, holds.
fn newest<'a>(versions: impl Iterator<Item = (&'a MemKey, &'a Row)>, seq: u64) -> Rows {
    let mut out: Rows = Vec::new();
    for (k, row) in versions {
        if k.seq > seq {
            continue;
        }
        let same = out
            .last()
            .is_some_and(|(last, _)| (k.cmp)(last, &k.key) == Ordering::Equal);
        if !same {
            out.push((k.key.clone(), row.clone()));
        }
    }
    out
}

/// One generation of rows: what the writer has made durable since it began.
pub struct Mem {
    tables: RwLock<Tables>,
}

impl Mem {
    pub fn new(count: u8) -> Self {
        Self {
            tables: RwLock::new(empty_tables(count)),
        }
    }

    fn poisoned() -> StoreError {
        StoreError::Unavailable("store memory table poisoned by a panic".into())
    }

    /// Adds a batch's rows, tagged with the batch's number.
    pub fn insert(&self, seq: u64, batch: Tables) -> Result<(), StoreError> {
        let mut tables = self.tables.write().map_err(|_| Self::poisoned())?;
        for (table, rows) in tables.iter_mut().zip(batch) {
            for (mut k, row) in rows {
                k.seq = seq;
                table.insert(k, row);
            }
        }
        Ok(())
    }

    pub fn get(
        &self,
        table: u8,
        key: &[u8],
        seq: u64,
        cmp: Compare,
    ) -> Result<Option<Row>, StoreError> {
        let tables = self.tables.read().map_err(|_| Self::poisoned())?;
        Ok(get_in(&tables[usize::from(table)], key, seq, cmp))
    }

    pub fn range(
        &self,
        table: u8,
        lower: Bound<&[u8]>,
        upper: Bound<&[u8]>,
        seq: u64,
        cmp: Compare,
    ) -> Result<Rows, StoreError> {
        let tables = self.tables.read().map_err(|_| Self::poisoned())?;
        Ok(range_in(
            &tables[usize::from(table)],
            lower,
            upper,
            seq,
            cmp,
        ))
    }

    /// Each table's last version of every key, for a checkpoint.
    pub fn latest(&self) -> Result<Vec<Rows>, StoreError> {
        let tables = self.tables.read().map_err(|_| Self::poisoned())?;
        Ok(tables.iter().map(|t| newest(t.iter(), u64::MAX)).collect())
    }
}
