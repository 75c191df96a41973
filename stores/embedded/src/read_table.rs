//! One table as a read sees it: the batch being written (for the writer), the
//! in-memory generations, then redb. It mirrors the part of redb's table API
//! the store uses: `get`, `range` and `iter`, yielding guards whose `value()`
//! decodes as redb's do.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::collections::VecDeque;
use std::marker::PhantomData;
use std::ops::{Bound, RangeBounds};
use std::sync::Arc;

use redb::{AccessGuard, Key, ReadOnlyTable, TableDefinition, TableHandle, Value};
use souk_actors::store::StoreError;

use super::logged::{compare_of, number};
use super::memtable::{Compare, Row, get_in, range_in};
use super::tables::io;
use super::view::{Batch, View};

/// A key or value read from redb or from memory.
pub enum Guard<T: Value + 'static> {
    Stored(AccessGuard<'static, T>),
    Memory(Arc<[u8]>, PhantomData<T>),
}

impl<T: Value + 'static> Guard<T> {
    pub fn value(&self) -> T::SelfType<'_> {
        match self {
            Self::Stored(guard) => guard.value(),
            Self::Memory(bytes, _) => T::from_bytes(bytes),
        }
    }
}

fn memory<T: Value + 'static>(bytes: Arc<[u8]>) -> Guard<T> {
    Guard::Memory(bytes, PhantomData)
}

pub struct ReadTable<'s, K: Key + 'static, V: Value + 'static> {
    view: &'s View,
    seq: u64,
    batch: Option<&'s Batch>,
    number: u8,
    cmp: Compare,
    base: ReadOnlyTable<K, V>,
}

fn owned(bound: Bound<&[u8]>) -> Bound<Vec<u8>> {
    bound.map(<[u8]>::to_vec)
}

fn decoded<K: Key>(bound: &Bound<Vec<u8>>) -> Bound<K::SelfType<'_>> {
    match bound {
        Bound::Included(k) => Bound::Included(K::from_bytes(k)),
        Bound::Excluded(k) => Bound::Excluded(K::from_bytes(k)),
        Bound::Unbounded => Bound::Unbounded,
    }
}

impl<'s, K: Key + 'static, V: Value + 'static> ReadTable<'s, K, V> {
    pub fn open(
        view: &'s View,
        seq: u64,
        batch: Option<&'s Batch>,
        def: TableDefinition<K, V>,
    ) -> Result<Self, StoreError> {
        let number = number(def.name())?;
        Ok(Self {
            view,
            seq,
            batch,
            number,
            cmp: compare_of(number),
            base: view.base.open_table(def).map_err(io)?,
        })
    }

    pub fn number(&self) -> u8 {
        self.number
    }

    pub fn cmp(&self) -> Compare {
        self.cmp
    }

    /// The newest version of `key` in memory: `Some(None)` if removed there.
    fn in_memory(&self, key: &[u8]) -> Result<Option<Row>, StoreError> {
        if let Some(batch) = self.batch {
            let tables = batch.borrow();
            if let Some(row) = get_in(&tables[usize::from(self.number)], key, u64::MAX, self.cmp) {
                return Ok(Some(row));
            }
        }
        for mem in self.view.mems() {
            if let Some(row) = mem.get(self.number, key, self.seq, self.cmp)? {
                return Ok(Some(row));
            }
        }
        Ok(None)
    }

    pub fn get<'a>(
        &self,
        key: impl Borrow<K::SelfType<'a>>,
    ) -> Result<Option<Guard<V>>, StoreError> {
        let found = {
            let bytes = K::as_bytes(key.borrow());
            self.in_memory(bytes.as_ref())?
        };
        match found {
            Some(row) => Ok(row.map(memory)),
            None => Ok(self.base.get(key).map_err(io)?.map(Guard::Stored)),
        }
    }

    pub fn iter(&self) -> Result<Range<K, V>, StoreError> {
        self.scan(Bound::Unbounded, Bound::Unbounded)
    }

    pub fn range<'a, KR>(&self, range: impl RangeBounds<KR> + 'a) -> Result<Range<K, V>, StoreError>
    where
        KR: Borrow<K::SelfType<'a>> + 'a,
    {
        let bytes = |b: Bound<&KR>| b.map(|k| K::as_bytes(k.borrow()).as_ref().to_vec());
        let (lower, upper) = (bytes(range.start_bound()), bytes(range.end_bound()));
        self.scan(
            lower.as_ref().map(Vec::as_slice),
            upper.as_ref().map(Vec::as_slice),
        )
    }

    fn scan(&self, lower: Bound<&[u8]>, upper: Bound<&[u8]>) -> Result<Range<K, V>, StoreError> {
        // Every layer's rows in the range, newest layer first; then the
        // first of each key wins.
        let mut rows: Vec<(usize, Arc<[u8]>, Row)> = Vec::new();
        if let Some(batch) = self.batch {
            let tables = batch.borrow();
            let table = &tables[usize::from(self.number)];
            let found = range_in(table, lower, upper, u64::MAX, self.cmp);
            rows.extend(found.into_iter().map(|(k, r)| (0, k, r)));
        }
        for (layer, mem) in self.view.mems().enumerate() {
            let found = mem.range(self.number, lower, upper, self.seq, self.cmp)?;
            rows.extend(found.into_iter().map(|(k, r)| (layer + 1, k, r)));
        }
        let cmp = self.cmp;
        rows.sort_by(|a, b| cmp(&a.1, &b.1).then(a.0.cmp(&b.0)));
        rows.dedup_by(|later, first| cmp(&later.1, &first.1) == Ordering::Equal);
        let (lower, upper) = (owned(lower), owned(upper));
        let base = self
            .base
            .range::<K::SelfType<'_>>((decoded::<K>(&lower), decoded::<K>(&upper)))
            .map_err(io)?;
        Ok(Range {
            memory: rows.into_iter().map(|(_, k, r)| (k, r)).collect(),
            base,
            front: None,
            back: None,
            cmp,
        })
    }
}

type Stored<K, V> = (AccessGuard<'static, K>, AccessGuard<'static, V>);
pub type Item<K, V> = Result<(Guard<K>, Guard<V>), StoreError>;

/// Rows of a range in key order, in memory and in redb merged; a row in
/// memory replaces (or, removed, hides) the stored one.
pub struct Range<K: Key + 'static, V: Value + 'static> {
    memory: VecDeque<(Arc<[u8]>, Row)>,
    base: redb::Range<'static, K, V>,
    /// Stored rows taken from `base` but not yet yielded, at either end.
    front: Option<Stored<K, V>>,
    back: Option<Stored<K, V>>,
    cmp: Compare,
}

fn stored<K: Key + 'static, V: Value + 'static>((k, v): Stored<K, V>) -> Item<K, V> {
    Ok((Guard::Stored(k), Guard::Stored(v)))
}

impl<K: Key + 'static, V: Value + 'static> Range<K, V> {
    /// The next row from one end: `forward` from the front, else the back.
    fn step(&mut self, forward: bool) -> Option<Item<K, V>> {
        loop {
            let held = if forward {
                self.front.take()
            } else {
                self.back.take()
            };
            let from_base = match held {
                Some(row) => Some(row),
                None => {
                    let next = if forward {
                        self.base.next()
                    } else {
                        self.base.next_back()
                    };
                    match next {
                        Some(Ok(row)) => Some(row),
                        Some(Err(e)) => return Some(Err(io(e))),
                        None if forward => self.back.take(),
                        None => self.front.take(),
                    }
                }
            };
            let in_memory = if forward {
                self.memory.front()
            } else {
                self.memory.back()
            };
            let order = match (&from_base, in_memory) {
                (None, None) => return None,
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some((k, _)), Some((key, _))) => {
                    let order = (self.cmp)(K::as_bytes(&k.value()).as_ref(), key);
                    if forward { order } else { order.reverse() }
                }
            };
            if order == Ordering::Less {
                return from_base.map(stored);
            }
            if order == Ordering::Greater {
                // The stored row comes after this memory row: keep it.
                if forward {
                    self.front = from_base;
                } else {
                    self.back = from_base;
                }
            }
            let taken = if forward {
                self.memory.pop_front()
            } else {
                self.memory.pop_back()
            };
            if let Some((key, Some(value))) = taken {
                return Some(Ok((memory(key), memory(value))));
            }
        }
    }
}

impl<K: Key + 'static, V: Value + 'static> Iterator for Range<K, V> {
    type Item = Item<K, V>;
    fn next(&mut self) -> Option<Self::Item> {
        self.step(true)
    }
}

impl<K: Key + 'static, V: Value + 'static> DoubleEndedIterator for Range<K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.step(false)
    }
}
