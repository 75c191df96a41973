//! Reciprocal rank fusion: combining rankings whose scores are not comparable
//! (BM25 and cosine similarity) by rank alone.

use std::collections::HashMap;
use std::hash::Hash;

/// The usual constant: dampens the weight of the very first ranks.
pub const RRF_K: f32 = 60.0;

/// Fuses best-first `rankings`: each item scores `Σ 1 / (k + rank)` over the
/// lists it appears in (rank from 1). Returns items best first; ties keep the
/// order in which items were first seen.
pub fn reciprocal_rank_fusion<K: Copy + Eq + Hash>(rankings: &[&[K]], k: f32) -> Vec<(K, f32)> {
    let mut scores: HashMap<K, (f32, usize)> = HashMap::new();
    let mut seen = 0;
    for ranking in rankings {
        for (rank, key) in ranking.iter().enumerate() {
            let entry = scores.entry(*key).or_insert_with(|| {
                seen += 1;
                (0.0, seen)
            });
            entry.0 += 1.0 / (k + rank as f32 + 1.0);
        }
    }
    let mut fused: Vec<(K, f32, usize)> = scores.into_iter().map(|(k, (s, o))| (k, s, o)).collect();
    fused.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.2.cmp(&b.2)));
    fused.into_iter().map(|(k, s, _)| (k, s)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agreement_beats_a_single_first_place() {
        let lexical = [1, 2, 3];
        let vector = [4, 2, 1];
        let fused = reciprocal_rank_fusion(&[lexical.as_slice(), vector.as_slice()], RRF_K);
        let order: Vec<i32> = fused.iter().map(|(k, _)| *k).collect();
        assert_eq!(order, vec![1, 2, 4, 3]);
        assert!((fused[0].1 - (1.0 / 61.0 + 1.0 / 63.0)).abs() < 1e-6);
    }

    #[test]
    fn empty_rankings_fuse_to_nothing() {
        let none: [u8; 0] = [];
        assert!(reciprocal_rank_fusion(&[none.as_slice(), none.as_slice()], RRF_K).is_empty());
    }
}
