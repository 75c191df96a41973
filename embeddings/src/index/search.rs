//! Nearest-neighbour search with filters: graph search with oversampling, and
//! exact brute force when few entries can match.

use std::hash::Hash;

use super::{Entry, Filter, State, VectorIndex};
use crate::vector::Vector;

/// Graph candidates per wanted result, before scaling by selectivity.
const OVERSAMPLE: usize = 3;

impl<K> VectorIndex<K>
where
    K: Copy + Eq + Hash + Send + Sync,
{
    /// The `k` live entries most similar to `query` that pass `filter`, best
    /// first, as `(key, cosine similarity)`.
    ///
    /// The rule:
    /// 1. Count the live entries that pass the filter (a metadata scan, no vector
    ///    maths). If there are at most [`exact_threshold`] of them (2,000 by
    ///    default) the answer is computed exactly by brute force over just those
    ///    entries. This covers small catalogs and selective filters, where graph
    ///    search would waste its candidates on items the filter rejects.
    /// 2. Otherwise the graph is asked for `n = 3·k·slots/matching` candidates
    ///    (`slots` counts dead slots too, so both filtered-out and retired points
    ///    are paid for; just `k` when every slot is live and matches), with `ef = max(n, ef_search)`. Dead slots and
    ///    non-matching entries are dropped. While fewer than `k` survive, `n`
    ///    doubles, up to [`max_candidates`] (4,096) or the whole graph.
    /// 3. If the graph still cannot supply `k` matches, the search falls back to
    ///    brute force over all matching entries, so a result is never short
    ///    merely because the graph missed points.
    ///
    /// A zero or non-finite query, or `k == 0`, returns nothing.
    ///
    /// [`exact_threshold`]: super::IndexConfig::exact_threshold
    /// [`max_candidates`]: super::IndexConfig::max_candidates
    pub fn search(&self, query: &Vector, k: usize, filter: &Filter) -> Vec<(K, f32)> {
        self.search_with(query, k, filter, self.config.ef_search)
    }

    /// [`search`](Self::search) with `ef_search` in place of
    /// [`IndexConfig::ef_search`](super::IndexConfig::ef_search), the least
    /// number of candidates the graph search explores: higher finds more of
    /// the true neighbours, more slowly. For tuning and benchmarks.
    pub fn search_with(
        &self,
        query: &Vector,
        k: usize,
        filter: &Filter,
        ef_search: usize,
    ) -> Vec<(K, f32)> {
        let Ok(query) = Vector::normalized(query.as_slice()) else {
            return Vec::new();
        };
        let state = self.read();
        if k == 0 || state.entries.is_empty() {
            return Vec::new();
        }
        let (matching, few) = count_matching(&state, filter, self.config.exact_threshold);
        if matching == 0 {
            return Vec::new();
        }
        if matching <= self.config.exact_threshold {
            return top_k(
                few.into_iter().map(|(key, e)| (key, e.vector.dot(&query))),
                k,
            );
        }
        self.graph_search(&state, &query, k, filter, matching, ef_search)
            .unwrap_or_else(|| exact(&state, &query, k, filter))
    }

    /// Exact top-`k` by brute force over every matching entry; the reference the
    /// graph search is measured against.
    pub fn search_exact(&self, query: &Vector, k: usize, filter: &Filter) -> Vec<(K, f32)> {
        let Ok(query) = Vector::normalized(query.as_slice()) else {
            return Vec::new();
        };
        exact(&self.read(), &query, k, filter)
    }

    /// Graph search with growing oversampling; `None` when it cannot find
    /// `min(k, matching)` results within the candidate budget.
    fn graph_search(
        &self,
        state: &State<K>,
        query: &Vector,
        k: usize,
        filter: &Filter,
        matching: usize,
        ef_search: usize,
    ) -> Option<Vec<(K, f32)>> {
        let slots = state.slots.len();
        let budget = self.config.max_candidates.max(k).min(slots);
        let wanted = k.min(matching);
        // With nothing to skip (no filter, no dead slot) the graph's own top
        // `k` is the answer; otherwise oversample for what will be dropped.
        let oversample = if matching == slots { 1 } else { OVERSAMPLE };
        let mut n = oversample
            .saturating_mul(k)
            .saturating_mul(slots)
            .div_ceil(matching)
            .max(k)
            .min(budget);
        loop {
            let ef = n.max(ef_search);
            let found: Vec<(K, f32)> = nearest_slots(state, query, n, ef)
                .into_iter()
                .filter_map(|slot| {
                    let key = (*state.slots.get(slot)?)?;
                    let entry = state.entries.get(&key)?;
                    filter
                        .matches(&entry.meta)
                        .then(|| (key, entry.vector.dot(query)))
                })
                .collect();
            if found.len() >= wanted {
                return Some(top_k(found.into_iter(), k));
            }
            if n >= budget {
                return None;
            }
            n = (n * 2).min(budget);
        }
    }
}

/// Up to about `n` candidate slots near `query`: from the search copy of the
/// graph when there is one, else from the graph, plus the best `n` of the
/// live slots neither covers (scored exactly).
fn nearest_slots<K: Copy + Eq + Hash>(
    state: &State<K>,
    query: &Vector,
    n: usize,
    ef: usize,
) -> Vec<usize> {
    let (mut found, covered) = match &state.flat {
        Some(flat) => (flat.nearest(query.as_slice(), n, ef), flat.len()),
        None => {
            // The graph may already hold slots being inserted; those past
            // `graphed` are scored below instead, so none comes twice.
            let mut found = state.graph.nearest(query.as_slice(), n, ef);
            found.retain(|slot| *slot < state.graphed);
            (found, state.graphed)
        }
    };
    let newer = (covered..state.slots.len()).filter_map(|slot| {
        let key = state.slots[slot]?;
        let entry = state.entries.get(&key).filter(|e| e.slot == slot)?;
        Some((slot, entry.vector.dot(query)))
    });
    found.extend(top_k(newer, n).into_iter().map(|(slot, _)| slot));
    found
}

/// How many live entries pass `filter`, and those entries when there are at
/// most `limit` of them. An empty filter passes everything: no scan.
fn count_matching<'a, K: Copy>(
    state: &'a State<K>,
    filter: &Filter,
    limit: usize,
) -> (usize, Vec<(K, &'a Entry)>) {
    if filter.is_empty() && state.entries.len() > limit {
        return (state.entries.len(), Vec::new());
    }
    let mut count = 0;
    let mut few = Vec::new();
    for (key, entry) in &state.entries {
        if filter.matches(&entry.meta) {
            count += 1;
            if count <= limit {
                few.push((*key, entry));
            }
        }
    }
    if count > limit {
        few = Vec::new();
    }
    (count, few)
}

fn exact<K: Copy>(state: &State<K>, query: &Vector, k: usize, filter: &Filter) -> Vec<(K, f32)> {
    let scored = state
        .entries
        .iter()
        .filter(|(_, e)| filter.matches(&e.meta))
        .map(|(key, e)| (*key, e.vector.dot(query)));
    top_k(scored, k)
}

/// The `k` best-scored items, best first.
fn top_k<K>(scored: impl Iterator<Item = (K, f32)>, k: usize) -> Vec<(K, f32)> {
    let mut all: Vec<(K, f32)> = scored.collect();
    if k == 0 {
        return Vec::new();
    }
    if all.len() > k {
        all.select_nth_unstable_by(k - 1, |a, b| b.1.total_cmp(&a.1));
        all.truncate(k);
    }
    all.sort_by(|a, b| b.1.total_cmp(&a.1));
    all
}
