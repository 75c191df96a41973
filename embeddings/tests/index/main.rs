//! The vector index on synthetic vectors (no model needed).
// Test code: clippy.toml allows unwrap/expect in `#[test]` fns only, not in helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bulk;
mod data;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use souk_embeddings::index::{Filter, IndexConfig, VectorIndex};
use souk_embeddings::{DIM, Vector};
use uuid::Uuid;

use data::{Data, filled, graph_only, key, meta, recall};

#[test]
fn finds_itself_first() {
    for config in [IndexConfig::default(), graph_only()] {
        let (index, vectors) = filled(1_000, config, 1);
        assert_eq!(index.len(), 1_000);
        for (i, v) in vectors.iter().enumerate().step_by(37) {
            let results = index.search(v, 5, &Filter::default());
            assert_eq!(results[0].0, key(i));
            assert!((results[0].1 - 1.0).abs() < 1e-4, "score {}", results[0].1);
            assert!(results.windows(2).all(|w| w[0].1 >= w[1].1), "sorted");
        }
    }
}

#[test]
fn update_moves_a_key() {
    let (index, vectors) = filled(500, graph_only(), 2);
    let mut data = Data::new(99);
    let moved_to = data.vector();
    index.upsert(key(7), &moved_to, meta(7)).unwrap();
    assert_eq!(index.len(), 500);
    assert_eq!(index.dead(), 1);
    let old = index.search(&vectors[7], 10, &Filter::default());
    assert!(old.iter().all(|r| r.0 != key(7) || r.1 < 0.99), "{old:?}");
    let new = index.search(&moved_to, 10, &Filter::default());
    assert_eq!(new[0].0, key(7));
    assert_eq!(new.iter().filter(|r| r.0 == key(7)).count(), 1);
}

#[test]
fn remove_forgets_a_key() {
    let (index, vectors) = filled(300, IndexConfig::default(), 3);
    assert!(index.remove(key(5)));
    assert!(!index.remove(key(5)));
    assert!(!index.contains(key(5)));
    assert_eq!(index.len(), 299);
    let results = index.search(&vectors[5], 300, &Filter::default());
    assert_eq!(results.len(), 299);
    assert!(results.iter().all(|r| r.0 != key(5)));
}

#[test]
fn bad_vectors_and_empty_indexes() {
    let index: VectorIndex = VectorIndex::new();
    let zero = Vector::from_slice(&[0.0; DIM]).unwrap();
    assert!(index.upsert(key(0), &zero, meta(0)).is_err());
    let v = Data::new(4).vector();
    assert!(index.search(&v, 5, &Filter::default()).is_empty());
    index.upsert(key(0), &v, meta(0)).unwrap();
    assert!(index.search(&zero, 5, &Filter::default()).is_empty());
    assert!(index.search(&v, 0, &Filter::default()).is_empty());
    assert_eq!(index.search(&v, 5, &Filter::default()).len(), 1);
}

#[test]
fn filtered_search_returns_only_matches_with_high_recall() {
    let filters = [
        Filter {
            category: Some("cat-3".into()),
            ..Filter::default()
        },
        Filter {
            max_price: Some(999),
            ..Filter::default()
        },
        Filter {
            in_stock: true,
            seller: Some(Uuid::from_u128(2)),
            ..Filter::default()
        },
    ];
    let mut data = Data::new(77);
    let queries: Vec<Vector> = (0..40).map(|_| data.vector()).collect();
    // The graph alone on 5,000 vectors (10 % category filter included), then the
    // default rules, where selective filters take the exact path.
    for (config, n) in [(graph_only(), 5_000), (IndexConfig::default(), 2_500)] {
        let (index, _) = filled(n, config.clone(), 5);
        for filter in &filters {
            for q in queries.iter().take(5) {
                for (key, _) in index.search(q, 10, filter) {
                    let i = (key.as_u128() - 1) as usize;
                    assert!(filter.matches(&meta(i)), "{filter:?} let through item {i}");
                }
            }
            let r = recall(&index, &queries, 10, filter);
            println!(
                "recall@10 {r:.3} for {filter:?} (exact_threshold {})",
                config.exact_threshold
            );
            assert!(r >= 0.95, "recall@10 {r} for {filter:?}");
        }
        let r = recall(&index, &queries, 10, &Filter::default());
        println!("unfiltered recall@10 {r:.3}");
        assert!(r >= 0.95, "unfiltered recall@10 {r}");
    }
}

#[test]
fn compaction_drops_dead_slots_and_keeps_results() {
    for config in [IndexConfig::default(), graph_only()] {
        let (index, vectors) = filled(1_500, config.clone(), 6);
        assert!(index.compact().is_none(), "nothing to compact yet");
        let mut data = Data::new(60);
        for i in 0..600 {
            index.upsert(key(i), &data.vector(), meta(i)).unwrap();
        }
        for i in 1_400..1_500 {
            index.remove(key(i));
        }
        assert!(
            index.needs_compaction(),
            "dead ratio {}",
            index.dead_ratio()
        );
        let queries: Vec<&Vector> = vectors.iter().step_by(50).collect();
        let filter = Filter {
            in_stock: true,
            ..Filter::default()
        };
        let before: Vec<_> = queries
            .iter()
            .map(|q| index.search(q, 10, &filter))
            .collect();
        let stats = index.compact().unwrap();
        assert_eq!(stats.live, 1_400);
        assert_eq!(stats.dropped, 700);
        assert_eq!(index.dead(), 0);
        assert_eq!(index.len(), 1_400);
        let after: Vec<_> = queries
            .iter()
            .map(|q| index.search(q, 10, &filter))
            .collect();
        if config.exact_threshold > 0 {
            assert_eq!(before, after, "exact search must not change");
        } else {
            let same = before.iter().zip(&after).filter(|(b, a)| b == a).count();
            assert!(
                same * 100 >= before.len() * 95,
                "{same}/{} identical",
                before.len()
            );
        }
    }
}

#[test]
fn searches_and_writes_continue_during_compaction() {
    let (index, vectors) = filled(3_000, graph_only(), 8);
    for i in 0..1_200 {
        index.remove(key(i));
    }
    let index = Arc::new(index);
    let done = Arc::new(AtomicBool::new(false));
    let compactor = {
        let (index, done) = (Arc::clone(&index), Arc::clone(&done));
        std::thread::spawn(move || {
            let stats = index.compact();
            done.store(true, Ordering::SeqCst);
            stats
        })
    };
    let writer = {
        let index = Arc::clone(&index);
        std::thread::spawn(move || {
            let mut data = Data::new(80);
            let mut written = Vec::new();
            for i in 10_000..10_200 {
                let v = data.vector();
                index.upsert(key(i), &v, meta(i)).unwrap();
                written.push((key(i), v));
            }
            written
        })
    };
    let mut searches = 0;
    while !done.load(Ordering::SeqCst) || searches < 50 {
        let i = 1_200 + (searches * 13) % 1_800;
        let results = index.search(&vectors[i], 5, &Filter::default());
        assert_eq!(results[0].0, key(i));
        searches += 1;
    }
    let stats = compactor.join().unwrap().expect("compaction was due");
    let written = writer.join().unwrap();
    println!("{searches} searches during compaction; {stats:?}");
    assert_eq!(index.len(), 1_800 + 200);
    for (k, v) in &written {
        assert_eq!(index.search(v, 1, &Filter::default())[0].0, *k);
    }
    for i in (0..1_200).step_by(100) {
        assert!(!index.contains(key(i)));
    }
}

#[test]
fn vectors_survive_the_byte_encoding() {
    let v = Data::new(9).vector();
    let bytes = v.to_bytes();
    assert_eq!(bytes.len(), DIM * 4);
    assert_eq!(Vector::from_bytes(&bytes).unwrap(), v);
    assert!(Vector::from_bytes(&bytes[1..]).is_err());
}

/// Self-queries and exact duplicates: the distance must never go negative (the
/// `DistDot` of `hnsw_rs` panicked on about 40 % of indexed vectors).
#[test]
fn every_indexed_vector_and_its_duplicates_can_be_queried() {
    let (index, vectors) = filled(2_000, graph_only(), 11);
    for (i, v) in vectors.iter().enumerate().take(20) {
        index.upsert(key(5_000 + i), v, meta(i)).unwrap();
    }
    for (i, v) in vectors.iter().enumerate() {
        let results = index.search(v, 3, &Filter::default());
        assert!((results[0].1 - 1.0).abs() < 1e-4, "item {i}: {results:?}");
        let keys: Vec<Uuid> = results.iter().map(|r| r.0).collect();
        assert!(keys.contains(&key(i)), "item {i}: {results:?}");
        if i < 20 {
            assert!(
                keys.contains(&key(5_000 + i)),
                "duplicate of {i}: {results:?}"
            );
            assert!((results[1].1 - 1.0).abs() < 1e-4, "item {i}: {results:?}");
        }
    }
}
