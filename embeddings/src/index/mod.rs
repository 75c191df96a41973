//! An in-process vector index over `hnsw_rs`, keyed by product.
//!
//! HNSW graphs cannot delete points, so every vector lives in a numbered *slot*
//! of the graph and the index keeps a table from slot to the key that still
//! owns it. [`VectorIndex::upsert`] writes a new slot and retires the key's old
//! one; [`VectorIndex::remove`] only retires. Searches skip retired (dead)
//! slots, and [`VectorIndex::compact`] rebuilds the graph from live entries once
//! dead slots pass [`IndexConfig::compact_ratio`].
//!
//! An entry is searchable as soon as it is written: slots the graph does not
//! hold yet (a bulk load still being inserted, or a write whose insertion is
//! queued behind one) are scored exactly beside the graph search. Inserting
//! into the graph holds no lock that searches wait for, so a large load runs
//! on the side while searches keep their latency ([`VectorIndex::catch_up`]).
//!
//! Scores are cosine similarities in [-1, 1] (1 = same direction); vectors are
//! normalised on the way in. How filtered searches keep their recall is
//! described on [`VectorIndex::search`].

mod compact;
mod distance;
mod filter;
mod flat;
mod graph;
mod search;

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard, TryLockError};
use std::time::Duration;

use thiserror::Error;
use uuid::Uuid;

use crate::vector::{Vector, VectorError};
use flat::Flat;
use graph::Graph;

pub use compact::CompactStats;
pub use filter::{Filter, ItemMeta};

/// Why an index operation was refused.
#[derive(Debug, Error, PartialEq)]
pub enum IndexError {
    /// The vector cannot be indexed (zero or not finite).
    #[error("cannot index this vector: {0}")]
    BadVector(#[from] VectorError),
}

/// Most slots left out of the search copy before it is taken again.
const MAX_UNCOPIED: usize = 1_024;

/// Slots inserted into the graph between two updates of what it covers: a
/// search meanwhile scores at most this many of them twice (once in the graph,
/// once exactly beside it), and each step inserts on every core.
const CATCH_UP_STEP: usize = 4_096;

/// How long [`VectorIndex::write_when_free`] waits before trying again (a
/// search holds the read lock for about a millisecond).
const WRITE_RETRY: Duration = Duration::from_micros(100);

/// Which cores a graph insertion may use.
#[derive(Clone, Copy)]
enum Cores {
    /// The calling thread only (insertions beside serving).
    One,
    /// Every core (a bulk load the caller waits for).
    All,
}

/// Tuning knobs; the defaults suit catalogs from hundreds to a few hundred
/// thousand products.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexConfig {
    /// Filtered searches whose filter matches at most this many live entries are
    /// answered exactly, by brute force over the matching entries.
    pub exact_threshold: usize,
    /// Search width (`ef`) never goes below this.
    pub ef_search: usize,
    /// Links per node and layer of the graph (HNSW's `M`, at most 255).
    pub links: usize,
    /// Search width while inserting into the graph.
    pub ef_construction: usize,
    /// The most graph candidates one search may request before it gives up on
    /// the graph and falls back to brute force.
    pub max_candidates: usize,
    /// [`VectorIndex::compact`] rebuilds once dead slots exceed this share of
    /// all slots.
    pub compact_ratio: f32,
}

impl Default for IndexConfig {
    fn default() -> Self {
        Self {
            exact_threshold: 2_000,
            ef_search: 200,
            links: 16,
            ef_construction: 200,
            max_candidates: 4_096,
            compact_ratio: 0.25,
        }
    }
}

/// One live product in the index.
struct Entry {
    slot: usize,
    vector: Arc<Vector>,
    meta: ItemMeta,
}

/// Everything swapped together under the lock.
struct State<K> {
    graph: Arc<Graph>,
    /// A fast copy of the graph's first slots (see `flat.rs`), if taken.
    flat: Option<Arc<Flat>>,
    entries: HashMap<K, Entry>,
    /// Slot → key that still owns it; `None` once retired.
    slots: Vec<Option<K>>,
    /// Slots `0..graphed` are in `graph`; later ones wait for
    /// [`VectorIndex::catch_up`] and are searched exactly meanwhile.
    graphed: usize,
    dead: usize,
}

/// A concurrent vector index from product keys to unit vectors plus the
/// metadata filters need. All methods take `&self`; share it in an `Arc`.
pub struct VectorIndex<K = Uuid> {
    state: RwLock<State<K>>,
    /// Held for the whole of a rebuild so two never run at once.
    compacting: Mutex<()>,
    /// Held while inserting into the graph, so slots go in once and in order.
    inserting: Mutex<()>,
    config: IndexConfig,
}

impl<K> VectorIndex<K>
where
    K: Copy + Eq + Hash + Send + Sync,
{
    /// An empty index with default settings.
    pub fn new() -> Self {
        Self::with_config(IndexConfig::default())
    }

    /// An empty index with the given settings.
    pub fn with_config(config: IndexConfig) -> Self {
        Self {
            state: RwLock::new(State {
                graph: Arc::new(Graph::new(0, config.links, config.ef_construction)),
                flat: None,
                entries: HashMap::new(),
                slots: Vec::new(),
                graphed: 0,
                dead: 0,
            }),
            compacting: Mutex::new(()),
            inserting: Mutex::new(()),
            config,
        }
    }

    fn new_graph(&self, capacity: usize) -> Graph {
        Graph::new(capacity, self.config.links, self.config.ef_construction)
    }

    /// The settings in use.
    pub fn config(&self) -> &IndexConfig {
        &self.config
    }

    /// Inserts `key` or replaces its vector and metadata, searchable on
    /// return. The vector is normalised; a zero or non-finite vector is
    /// refused. Then inserts it into the graph (see [`catch_up`](Self::catch_up)).
    pub fn upsert(&self, key: K, vector: &Vector, meta: ItemMeta) -> Result<(), IndexError> {
        self.add_many(vec![(key, vector.clone(), meta)])?;
        self.catch_up();
        Ok(())
    }

    /// [`upsert`](Self::upsert) for many items at once, inserting into the
    /// graph on every core: for loading a large catalog. If a key appears
    /// twice the later item wins. Nothing is indexed if any vector is refused.
    /// Searches carry on meanwhile and find the new items from the start.
    pub fn upsert_many(&self, items: Vec<(K, Vector, ItemMeta)>) -> Result<(), IndexError> {
        self.add_many(items)?;
        self.insert_pending(Cores::All);
        self.refresh_search_copy();
        Ok(())
    }

    /// Writes the items without inserting them into the graph: they are
    /// searchable at once, scored exactly beside the graph, until
    /// [`catch_up`](Self::catch_up) inserts them. Quick whatever the number
    /// (no graph work), so a node can serve searches while a large index
    /// loads. Nothing is written if any vector is refused.
    pub fn add_many(&self, items: Vec<(K, Vector, ItemMeta)>) -> Result<(), IndexError> {
        let items = items
            .into_iter()
            .map(|(key, vector, meta)| {
                let vector = Arc::new(Vector::normalized(vector.as_slice())?);
                Ok((key, vector, meta))
            })
            .collect::<Result<Vec<_>, IndexError>>()?;
        let mut state = self.write();
        for (key, vector, meta) in items {
            let slot = state.slots.len();
            state.slots.push(Some(key));
            let entry = Entry { slot, vector, meta };
            if let Some(old) = state.entries.insert(key, entry) {
                state.retire(old.slot);
            }
        }
        Ok(())
    }

    /// Inserts every slot the graph does not hold yet, a step at a time on
    /// the calling thread only, so the other cores stay free for searches,
    /// and without holding a lock searches wait for. Blocking; call it off
    /// the async runtime. If another thread is already inserting, it returns
    /// at once: that thread takes these slots too.
    pub fn catch_up(&self) {
        self.insert_pending(Cores::One);
    }

    fn insert_pending(&self, cores: Cores) {
        loop {
            {
                let Ok(_one_at_a_time) = self.inserting.try_lock() else {
                    return;
                };
                while self.insert_step(cores) {}
            }
            // A write that found the lock taken just before it was released
            // left its slots to this thread.
            if self.ungraphed() == 0 {
                return;
            }
        }
    }

    /// Inserts the next step of slots into the graph; false when there were
    /// none.
    fn insert_step(&self, cores: Cores) -> bool {
        let (graph, from, items) = {
            let state = self.read();
            let to = state.slots.len().min(state.graphed + CATCH_UP_STEP);
            let items: Vec<(Arc<Vector>, usize)> = (state.graphed..to)
                .filter_map(|slot| {
                    let key = state.slots[slot]?;
                    let entry = state.entries.get(&key).filter(|e| e.slot == slot)?;
                    Some((Arc::clone(&entry.vector), slot))
                })
                .collect();
            (Arc::clone(&state.graph), (state.graphed, to), items)
        };
        let (from, to) = from;
        if from == to {
            return false;
        }
        let slices: Vec<(&[f32], usize)> = items
            .iter()
            .map(|(v, slot)| (v.as_slice(), *slot))
            .collect();
        match cores {
            _ if slices.is_empty() => {}
            Cores::All => graph.insert_many(&slices),
            Cores::One => {
                for (vector, slot) in &slices {
                    graph.insert(vector, *slot);
                }
            }
        }
        let mut state = self.write_when_free();
        // A rebuild that swapped the graph meanwhile inserted these itself.
        if Arc::ptr_eq(&state.graph, &graph) {
            state.graphed = state.graphed.max(to);
        }
        true
    }

    /// Slots written but not yet in the graph (searched exactly meanwhile).
    pub fn ungraphed(&self) -> usize {
        let state = self.read();
        state.slots.len() - state.graphed
    }

    /// Takes a new search copy of the graph (see `flat.rs`) when the slots
    /// the graph gained since the last one are too many to search exactly on
    /// the side (more than 1/16 of the index, or 1,024); true when it did. Blocking
    /// (about half a second per 100,000 slots) but holds no lock while copying:
    /// call it from a background thread after writes, like
    /// [`compact`](Self::compact).
    pub fn refresh_search_copy(&self) -> bool {
        let (graph, slots, covered) = {
            let state = self.read();
            let covered = state.flat.as_ref().map_or(0, |f| f.len());
            (Arc::clone(&state.graph), state.graphed, covered)
        };
        let tail = slots.saturating_sub(covered);
        if tail == 0 || tail <= (slots / 16).min(MAX_UNCOPIED) {
            return false;
        }
        let Some(flat) = graph.flat(slots) else {
            return false;
        };
        let mut state = self.write_when_free();
        // A rebuild that swapped the graph meanwhile brought its own copy.
        let current = Arc::ptr_eq(&state.graph, &graph);
        if current {
            state.flat = Some(Arc::new(flat));
        }
        current
    }

    /// Changes only the metadata of `key` (price, stock, …); false when absent.
    pub fn update_meta(&self, key: K, meta: ItemMeta) -> bool {
        match self.write().entries.get_mut(&key) {
            Some(entry) => {
                entry.meta = meta;
                true
            }
            None => false,
        }
    }

    /// Removes `key`; false when it was not indexed.
    pub fn remove(&self, key: K) -> bool {
        let mut state = self.write();
        match state.entries.remove(&key) {
            Some(old) => {
                state.retire(old.slot);
                true
            }
            None => false,
        }
    }

    /// Whether `key` is indexed.
    pub fn contains(&self, key: K) -> bool {
        self.read().entries.contains_key(&key)
    }

    /// Number of live entries.
    pub fn len(&self) -> usize {
        self.read().entries.len()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of retired slots still in the graph.
    pub fn dead(&self) -> usize {
        self.read().dead
    }

    /// Share of graph slots that are retired, in [0, 1].
    pub fn dead_ratio(&self) -> f32 {
        self.read().dead_ratio()
    }

    fn read(&self) -> RwLockReadGuard<'_, State<K>> {
        self.state.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, State<K>> {
        self.state.write().unwrap_or_else(|p| p.into_inner())
    }

    /// The write lock for work done in the background, taken without
    /// queueing for it: a queued writer makes new readers wait too, and a
    /// background thread (at the lowest CPU priority) that waits for a core
    /// before it can take and release the lock would hold up every search
    /// behind it.
    fn write_when_free(&self) -> RwLockWriteGuard<'_, State<K>> {
        loop {
            match self.state.try_write() {
                Ok(state) => return state,
                Err(TryLockError::Poisoned(p)) => return p.into_inner(),
                Err(TryLockError::WouldBlock) => std::thread::sleep(WRITE_RETRY),
            }
        }
    }
}

impl<K> Default for VectorIndex<K>
where
    K: Copy + Eq + Hash + Send + Sync,
{
    fn default() -> Self {
        Self::new()
    }
}

impl<K> State<K> {
    fn retire(&mut self, slot: usize) {
        if let Some(owner) = self.slots.get_mut(slot)
            && owner.take().is_some()
        {
            self.dead += 1;
        }
    }

    fn dead_ratio(&self) -> f32 {
        if self.slots.is_empty() {
            0.0
        } else {
            self.dead as f32 / self.slots.len() as f32
        }
    }
}
