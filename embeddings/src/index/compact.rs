//! Rebuilding the graph without its dead slots, off to the side.
//!
//! A rebuild takes a snapshot of the live entries under a brief read lock,
//! builds a fresh graph from it with no lock held (searches and upserts carry
//! on against the old graph), then takes the write lock once to swap. Entries
//! written during the build are found at swap time by their changed slot and
//! added to the new graph then; entries removed during the build leave a dead
//! slot in it. Run it on a background thread: it inserts every live vector
//! again, on all cores (`hnsw_rs`'s parallel insertion).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::VectorIndex;
use crate::vector::Vector;

/// What a rebuild did.
#[derive(Debug, Clone, PartialEq)]
pub struct CompactStats {
    /// Live entries in the new graph.
    pub live: usize,
    /// Dead slots dropped.
    pub dropped: usize,
    /// Entries written while the graph was being built, added at swap time.
    pub caught_up: usize,
    /// Wall time of the whole rebuild.
    pub elapsed: Duration,
}

impl<K> VectorIndex<K>
where
    K: Copy + Eq + Hash + Send + Sync,
{
    /// Whether dead slots exceed [`IndexConfig::compact_ratio`](super::IndexConfig::compact_ratio).
    pub fn needs_compaction(&self) -> bool {
        let state = self.read();
        state.dead > 0 && state.dead_ratio() > self.config.compact_ratio
    }

    /// Rebuilds the graph when [`needs_compaction`](Self::needs_compaction)
    /// says so; `None` when it was not needed. Blocking; see [`rebuild`](Self::rebuild).
    pub fn compact(&self) -> Option<CompactStats> {
        self.needs_compaction().then(|| self.rebuild())
    }

    /// Rebuilds the graph from the live entries now, whatever the dead ratio.
    /// Concurrent searches and writes keep working; a second rebuild waits for
    /// the first.
    pub fn rebuild(&self) -> CompactStats {
        let _one_at_a_time = self
            .compacting
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let started = Instant::now();

        let snapshot: Vec<(K, usize, Arc<Vector>)> = self
            .read()
            .entries
            .iter()
            .map(|(key, e)| (*key, e.slot, Arc::clone(&e.vector)))
            .collect();

        let graph = self.new_graph(snapshot.len());
        let items: Vec<(&[f32], usize)> = snapshot
            .iter()
            .enumerate()
            .map(|(new_slot, (_, _, vector))| (vector.as_slice(), new_slot))
            .collect();
        graph.insert_many(&items);
        let flat = graph.flat(snapshot.len()).map(Arc::new);

        let mut state = self.write_when_free();
        let state = &mut *state;
        let mut slots: Vec<Option<K>> = vec![None; snapshot.len()];
        let mut moved: HashMap<K, usize> = HashMap::with_capacity(snapshot.len());
        for (new_slot, (key, old_slot, _)) in snapshot.iter().enumerate() {
            if state.entries.get(key).is_some_and(|e| e.slot == *old_slot) {
                slots[new_slot] = Some(*key);
                moved.insert(*key, new_slot);
            }
        }
        let mut caught_up = 0;
        for (key, entry) in &mut state.entries {
            if let Some(&new_slot) = moved.get(key) {
                entry.slot = new_slot;
            } else {
                entry.slot = slots.len();
                graph.insert(entry.vector.as_slice(), entry.slot);
                slots.push(Some(*key));
                caught_up += 1;
            }
        }
        let dead = slots.iter().filter(|s| s.is_none()).count();
        let dropped = state.dead.saturating_sub(dead);
        state.graph = Arc::new(graph);
        state.flat = flat;
        state.graphed = slots.len();
        state.slots = slots;
        state.dead = dead;
        let stats = CompactStats {
            live: state.entries.len(),
            dropped,
            caught_up,
            elapsed: started.elapsed(),
        };
        tracing::debug!(?stats, "vector index compacted");
        stats
    }
}
