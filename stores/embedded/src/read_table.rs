//! One table as a read sees it: the rows of the batch being written (for the
//! writer's own reads), then the committed state. It offers the part of a
//! sorted map the store uses: `get`, `range` and `iter`, yielding guards
//! whose `value()` decodes the bytes.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::collections::VecDeque;
use std::marker::PhantomData;
use std::ops::{Bound, RangeBounds};

use fjall::{Keyspace, Readable, Slice};
use serde::de::DeserializeOwned;
use souk_actors::store::StoreError;

use super::base::{Base, Batch, Row};
use super::codec::{Key, TableDef, Value};
use super::tables::{decode, io};

/// A key or value read from the store.
pub struct Guard<T: Value>(Slice, PhantomData<T>);

impl<T: Value> Guard<T> {
    fn new(bytes: Slice) -> Self {
        Self(bytes, PhantomData)
    }

    pub fn value(&self) -> T::SelfType<'_> {
        T::from_bytes(&self.0)
    }
}

pub struct ReadTable<'s, K: Key, V: Value> {
    base: &'s Base,
    space: &'s Keyspace,
    batch: Option<&'s Batch>,
    number: u8,
    types: PhantomData<(K, V)>,
}

fn owned(bound: Bound<&[u8]>) -> Bound<Vec<u8>> {
    bound.map(<[u8]>::to_vec)
}

impl<'s, K: Key, V: Value> ReadTable<'s, K, V> {
    pub fn open(
        base: &'s Base,
        batch: Option<&'s Batch>,
        def: TableDef<K, V>,
    ) -> Result<Self, StoreError> {
        Ok(Self {
            base,
            space: base.space(def.number)?,
            batch,
            number: def.number,
            types: PhantomData,
        })
    }

    pub fn number(&self) -> u8 {
        self.number
    }

    pub fn get<'a>(
        &self,
        key: impl Borrow<K::SelfType<'a>>,
    ) -> Result<Option<Guard<V>>, StoreError> {
        let key = K::as_bytes(key.borrow());
        if let Some(batch) = self.batch
            && let Some(row) = batch.borrow()[usize::from(self.number)].get(key.as_slice())
        {
            return Ok(row.clone().map(Guard::new));
        }
        let found = self.base.snapshot.get(self.space, &key).map_err(io)?;
        Ok(found.map(Guard::new))
    }

    pub fn iter(&self) -> Result<Range<K, V>, StoreError> {
        self.scan(Bound::Unbounded, Bound::Unbounded)
    }

    pub fn range<'a, KR>(&self, range: impl RangeBounds<KR> + 'a) -> Result<Range<K, V>, StoreError>
    where
        KR: Borrow<K::SelfType<'a>> + 'a,
    {
        let bytes = |b: Bound<&KR>| b.map(|k| K::as_bytes(k.borrow()));
        let (lower, upper) = (bytes(range.start_bound()), bytes(range.end_bound()));
        self.scan(
            lower.as_ref().map(Vec::as_slice),
            upper.as_ref().map(Vec::as_slice),
        )
    }

    pub fn scan(
        &self,
        lower: Bound<&[u8]>,
        upper: Bound<&[u8]>,
    ) -> Result<Range<K, V>, StoreError> {
        let mut memory = VecDeque::new();
        if let Some(batch) = self.batch {
            let tables = batch.borrow();
            let rows = tables[usize::from(self.number)].range::<[u8], _>((lower, upper));
            memory.extend(rows.map(|(k, row)| (Slice::from(&**k), row.clone())));
        }
        let stored = self
            .base
            .snapshot
            .range(self.space, (owned(lower), owned(upper)));
        Ok(Range {
            memory,
            stored,
            front: None,
            back: None,
            types: PhantomData,
        })
    }
}

type Stored = (Slice, Slice);
pub type Item<K, V> = Result<(Guard<K>, Guard<V>), StoreError>;

/// Rows of a range in key order, the batch's and the committed ones merged; a
/// row in the batch replaces (or, removed, hides) the committed one.
pub struct Range<K: Key, V: Value> {
    memory: VecDeque<(Slice, Row)>,
    stored: fjall::Iter,
    /// Committed rows taken from `stored` but not yet yielded, at either end.
    front: Option<Stored>,
    back: Option<Stored>,
    types: PhantomData<(K, V)>,
}

fn item<K: Key, V: Value>((k, v): Stored) -> Item<K, V> {
    Ok((Guard::new(k), Guard::new(v)))
}

impl<K: Key, V: Value> Range<K, V> {
    fn next_stored(&mut self, forward: bool) -> Option<Result<Stored, StoreError>> {
        let next = if forward {
            self.stored.next()
        } else {
            self.stored.next_back()
        };
        Some(next?.into_inner().map_err(io))
    }

    /// The next row from one end: `forward` from the front, else the back.
    fn step(&mut self, forward: bool) -> Option<Item<K, V>> {
        loop {
            let held = if forward {
                self.front.take()
            } else {
                self.back.take()
            };
            let stored = match held {
                Some(row) => Some(row),
                None => match self.next_stored(forward) {
                    Some(Ok(row)) => Some(row),
                    Some(Err(e)) => return Some(Err(e)),
                    None if forward => self.back.take(),
                    None => self.front.take(),
                },
            };
            let in_memory = if forward {
                self.memory.front()
            } else {
                self.memory.back()
            };
            let order = match (&stored, in_memory) {
                (None, None) => return None,
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some((k, _)), Some((key, _))) => {
                    let order = k.as_ref().cmp(key.as_ref());
                    if forward { order } else { order.reverse() }
                }
            };
            if order == Ordering::Less {
                return stored.map(item);
            }
            if order == Ordering::Greater {
                // The committed row comes after this batch row: keep it.
                if forward {
                    self.front = stored;
                } else {
                    self.back = stored;
                }
            }
            let taken = if forward {
                self.memory.pop_front()
            } else {
                self.memory.pop_back()
            };
            if let Some((key, Some(value))) = taken {
                return Some(Ok((Guard::new(key), Guard::new(value))));
            }
        }
    }
}

impl<K: Key, V: Value> Iterator for Range<K, V> {
    type Item = Item<K, V>;
    fn next(&mut self) -> Option<Self::Item> {
        self.step(true)
    }
}

impl<K: Key, V: Value> DoubleEndedIterator for Range<K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.step(false)
    }
}

/// Decodes every value a scan yields, in key order.
pub fn decode_values<K: Key, T: DeserializeOwned>(
    rows: Range<K, &'static [u8]>,
) -> Result<Vec<T>, StoreError> {
    rows.map(|row| decode(row?.1.value())).collect()
}
