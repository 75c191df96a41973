//! Synthetic data and helpers shared by the index tests.

use std::collections::HashSet;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use souk_embeddings::index::{Filter, IndexConfig, ItemMeta, VectorIndex};
use souk_embeddings::{DIM, Vector};
use uuid::Uuid;

const CATEGORIES: usize = 10;

/// Unit vectors scattered around 40 random centres, like real embeddings.
pub struct Data {
    rng: StdRng,
    centres: Vec<Vec<f32>>,
}

impl Data {
    pub fn new(seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let centres = (0..40).map(|_| raw(&mut rng)).collect();
        Self { rng, centres }
    }

    pub fn vector(&mut self) -> Vector {
        let centre = &self.centres[self.rng.gen_range(0..self.centres.len())];
        let noise = raw(&mut self.rng);
        let mixed: Vec<f32> = centre
            .iter()
            .zip(&noise)
            .map(|(c, n)| c + 0.8 * n)
            .collect();
        Vector::normalized(&mixed).unwrap()
    }
}

fn raw(rng: &mut StdRng) -> Vec<f32> {
    (0..DIM).map(|_| rng.gen_range(-1.0f32..1.0)).collect()
}

pub fn meta(i: usize) -> ItemMeta {
    ItemMeta {
        category: format!("cat-{}", i % CATEGORIES),
        price_minor: (i as i64 * 37) % 10_000,
        currency: "USD".to_owned(),
        in_stock: !i.is_multiple_of(3),
        seller: Uuid::from_u128((i % 7) as u128),
    }
}

pub fn key(i: usize) -> Uuid {
    Uuid::from_u128(i as u128 + 1)
}

/// An index with `n` items, keys `key(0..n)`, and their vectors.
pub fn filled(n: usize, config: IndexConfig, seed: u64) -> (VectorIndex, Vec<Vector>) {
    let index = VectorIndex::with_config(config);
    let mut data = Data::new(seed);
    let vectors: Vec<Vector> = (0..n).map(|_| data.vector()).collect();
    for (i, v) in vectors.iter().enumerate() {
        index.upsert(key(i), v, meta(i)).unwrap();
    }
    (index, vectors)
}

/// Always use the graph, never the exact shortcut.
pub fn graph_only() -> IndexConfig {
    IndexConfig {
        exact_threshold: 0,
        ..IndexConfig::default()
    }
}

pub fn recall(index: &VectorIndex, queries: &[Vector], k: usize, filter: &Filter) -> f64 {
    let mut hits = 0;
    let mut total = 0;
    for q in queries {
        let truth: HashSet<Uuid> = index
            .search_exact(q, k, filter)
            .into_iter()
            .map(|r| r.0)
            .collect();
        let got: HashSet<Uuid> = index
            .search(q, k, filter)
            .into_iter()
            .map(|r| r.0)
            .collect();
        hits += truth.intersection(&got).count();
        total += truth.len();
    }
    hits as f64 / total as f64
}
