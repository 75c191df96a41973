//! A thin wrapper over an `hnsw_rs` graph of unit vectors addressed by slot
//! numbers. It can only grow: removal is the caller's business.

use hnsw_rs::prelude::Hnsw;

use super::distance::UnitDot;
use super::flat::Flat;

/// Layers the graph may use (hnsw_rs caps this at 16).
const MAX_LAYERS: usize = 16;
/// hnsw_rs exits the process for more links than this.
const MAX_LINKS: usize = 255;

/// The distance the graph is built with; see [`UnitDot`].
type Metric = UnitDot;

/// An HNSW graph over slots `0..len`.
pub(crate) struct Graph {
    hnsw: Hnsw<'static, f32, Metric>,
}

impl Graph {
    /// An empty graph sized for about `capacity` points, with `links` links
    /// per node and layer (HNSW's `M`) and an insertion search width of
    /// `ef_construction`.
    pub(crate) fn new(capacity: usize, links: usize, ef_construction: usize) -> Self {
        let hnsw = Hnsw::new(
            links.clamp(2, MAX_LINKS),
            capacity.max(1024),
            MAX_LAYERS,
            ef_construction.max(1),
            UnitDot,
        );
        Self { hnsw }
    }

    /// Adds a unit vector under `slot`.
    pub(crate) fn insert(&self, vector: &[f32], slot: usize) {
        self.hnsw.insert_slice((vector, slot));
    }

    /// Adds many unit vectors with their slots, on every core (rayon).
    pub(crate) fn insert_many(&self, items: &[(&[f32], usize)]) {
        self.hnsw.parallel_insert_slice(&items.to_vec());
    }

    /// A search-friendly copy of slots `0..len`; see [`Flat`].
    pub(crate) fn flat(&self, len: usize) -> Option<Flat> {
        Flat::copy(&self.hnsw, len)
    }

    /// Up to `n` nearest slots to the unit vector `query`, nearest first,
    /// exploring at least `ef` candidates.
    pub(crate) fn nearest(&self, query: &[f32], n: usize, ef: usize) -> Vec<usize> {
        self.hnsw
            .search(query, n, ef.max(n))
            .into_iter()
            .map(|neighbour| neighbour.d_id)
            .collect()
    }
}
