//! A read-only copy of the graph laid out for fast search.
//!
//! `hnsw_rs` keeps every point behind an `Arc` with its neighbour lists under
//! a lock, and its search keeps a hash set of visited points and a heap of
//! `Arc`s: most of a query's time goes to that bookkeeping, not to distances
//! (queries ran at about a fifth of hnswlib's speed at equal `ef`). A
//! [`Flat`] copies the same graph into plain arrays: vectors back to back in
//! slot order, bottom-layer neighbours in a fixed stride, a generation-stamped
//! visited array, and searches it with the usual HNSW walk. Same graph, same
//! answers, several times faster.
//!
//! A `Flat` covers the slots that existed when it was taken; newer slots are
//! searched exactly on the side (see `search.rs`) until the next copy.

use std::cell::RefCell;
use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};

use hnsw_rs::prelude::Hnsw;

use super::distance::UnitDot;
use crate::vector::{DIM, dot};

/// No neighbour (fills the end of a short neighbour list).
const NONE: u32 = u32::MAX;

pub(crate) struct Flat {
    /// Slots `0..len` are covered.
    len: usize,
    vectors: Vec<f32>,
    /// Bottom-layer neighbours of slot `s` at `s * stride..(s + 1) * stride`.
    bottom: Vec<u32>,
    stride: usize,
    /// Upper layers (index 0 is layer 1): neighbours of the slots present.
    upper: Vec<HashMap<u32, Vec<u32>>>,
    entry: u32,
}

/// A distance and a slot, ordered by distance.
#[derive(Clone, Copy, PartialEq)]
struct Near(f32, u32);

impl Eq for Near {}

impl PartialOrd for Near {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Near {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0).then(self.1.cmp(&other.1))
    }
}

impl Flat {
    /// Copies the graph's slots `0..len` (points inserted later, and links to
    /// them, are left out). `None` for an empty graph.
    pub(crate) fn copy(hnsw: &Hnsw<'static, f32, UnitDot>, len: usize) -> Option<Self> {
        // hnsw_rs's point iterator panics on a graph without an entry point.
        if hnsw.get_nb_point() == 0 {
            return None;
        }
        let indexation = hnsw.get_point_indexation();
        let top = usize::from(indexation.get_max_level_observed());
        let mut vectors = vec![0f32; len * DIM];
        let mut lists: Vec<Vec<u32>> = vec![Vec::new(); len];
        let mut upper: Vec<HashMap<u32, Vec<u32>>> = vec![HashMap::new(); top];
        let mut entry = None;
        let mut entry_level = 0;
        for point in indexation {
            let slot = point.get_origin_id();
            if slot >= len {
                continue;
            }
            let v = point.get_v();
            if v.len() != DIM {
                return None;
            }
            vectors[slot * DIM..(slot + 1) * DIM].copy_from_slice(v);
            let level = usize::from(point.get_point_id().0);
            if entry.is_none() || level > entry_level {
                entry = Some(slot as u32);
                entry_level = level;
            }
            for (layer, neighbours) in point.get_neighborhood_id().into_iter().enumerate() {
                let ids: Vec<u32> = neighbours
                    .iter()
                    .map(|n| n.d_id)
                    .filter(|&d| d < len)
                    .map(|d| d as u32)
                    .collect();
                match layer {
                    0 => lists[slot] = ids,
                    _ if layer <= top => {
                        upper[layer - 1].insert(slot as u32, ids);
                    }
                    _ => {}
                }
            }
        }
        let entry = entry?;
        upper.truncate(entry_level);
        let stride = lists.iter().map(Vec::len).max().unwrap_or(0).max(1);
        let mut bottom = vec![NONE; len * stride];
        for (slot, ids) in lists.iter().enumerate() {
            bottom[slot * stride..slot * stride + ids.len()].copy_from_slice(ids);
        }
        Some(Self {
            len,
            vectors,
            bottom,
            stride,
            upper,
            entry,
        })
    }

    /// Slots covered (`0..len`).
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Up to `n` slots nearest to the unit vector `query`, nearest first,
    /// exploring `ef` (at least `n`) candidates on the bottom layer.
    pub(crate) fn nearest(&self, query: &[f32], n: usize, ef: usize) -> Vec<usize> {
        if query.len() != DIM || n == 0 {
            return Vec::new();
        }
        VISITED.with(|cell| self.walk(query, n, ef.max(n), &mut cell.borrow_mut()))
    }

    fn distance(&self, query: &[f32], slot: u32) -> f32 {
        let start = slot as usize * DIM;
        1.0 - dot(query, &self.vectors[start..start + DIM])
    }

    fn walk(&self, query: &[f32], n: usize, ef: usize, visited: &mut Visited) -> Vec<usize> {
        // Greedy descent through the upper layers.
        let mut here = Near(self.distance(query, self.entry), self.entry);
        for layer in self.upper.iter().rev() {
            loop {
                let mut moved = false;
                for &next in layer.get(&here.1).map_or(&[][..], Vec::as_slice) {
                    let d = self.distance(query, next);
                    if d < here.0 {
                        here = Near(d, next);
                        moved = true;
                    }
                }
                if !moved {
                    break;
                }
            }
        }
        // Beam search of width `ef` on the bottom layer.
        visited.start(self.len);
        visited.insert(here.1);
        let mut candidates = BinaryHeap::from([Reverse(here)]);
        let mut best = BinaryHeap::from([here]);
        while let Some(Reverse(current)) = candidates.pop() {
            if best.len() >= ef && best.peek().is_some_and(|worst| current.0 > worst.0) {
                break;
            }
            let start = current.1 as usize * self.stride;
            for &next in &self.bottom[start..start + self.stride] {
                if next == NONE {
                    break;
                }
                if !visited.insert(next) {
                    continue;
                }
                let d = self.distance(query, next);
                if best.len() < ef || best.peek().is_some_and(|worst| d < worst.0) {
                    candidates.push(Reverse(Near(d, next)));
                    best.push(Near(d, next));
                    if best.len() > ef {
                        best.pop();
                    }
                }
            }
        }
        let mut found = best.into_sorted_vec();
        found.truncate(n);
        found.into_iter().map(|near| near.1 as usize).collect()
    }
}

thread_local! {
    static VISITED: RefCell<Visited> = RefCell::new(Visited::default());
}

/// Which slots one search has seen: a stamp per slot, so starting a search is
/// a counter increment rather than clearing an array.
#[derive(Default)]
struct Visited {
    stamps: Vec<u32>,
    current: u32,
}

impl Visited {
    fn start(&mut self, len: usize) {
        if self.stamps.len() < len {
            self.stamps.resize(len, 0);
        }
        self.current = self.current.wrapping_add(1);
        if self.current == 0 {
            self.stamps.fill(0);
            self.current = 1;
        }
    }

    /// Marks `slot` seen; false when it already was.
    fn insert(&mut self, slot: u32) -> bool {
        match self.stamps.get_mut(slot as usize) {
            Some(stamp) if *stamp != self.current => {
                *stamp = self.current;
                true
            }
            _ => false,
        }
    }
}
