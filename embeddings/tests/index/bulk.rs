//! Bulk loading and the search copy of the graph.

use std::collections::HashSet;

use souk_embeddings::index::{Filter, ItemMeta, VectorIndex};
use souk_embeddings::{DIM, Vector};
use uuid::Uuid;

use crate::data::{Data, filled, graph_only, key, meta, recall};

#[test]
fn bulk_loading_indexes_everything_and_the_last_duplicate_wins() {
    let index = VectorIndex::with_config(graph_only());
    let mut data = Data::new(9);
    let vectors: Vec<Vector> = (0..3_000).map(|_| data.vector()).collect();
    let mut items: Vec<(Uuid, Vector, ItemMeta)> = vectors
        .iter()
        .enumerate()
        .map(|(i, v)| (key(i), v.clone(), meta(i)))
        .collect();
    let replacement = data.vector();
    items.push((key(0), replacement.clone(), meta(0)));
    index.upsert_many(items).unwrap();
    assert_eq!(index.len(), 3_000);
    assert_eq!(index.dead(), 1);
    for (i, v) in vectors.iter().enumerate().skip(1).step_by(97) {
        assert_eq!(index.search(v, 1, &Filter::default())[0].0, key(i));
    }
    assert_eq!(
        index.search(&replacement, 1, &Filter::default())[0].0,
        key(0)
    );
    let queries: Vec<Vector> = (0..50).map(|_| data.vector()).collect();
    assert!(recall(&index, &queries, 10, &Filter::default()) >= 0.95);

    let zero = Vector::from_slice(&[0.0; DIM]).unwrap();
    let items = vec![
        (key(5_000), vectors[1].clone(), meta(1)),
        (key(5_001), zero, meta(2)),
    ];
    assert!(index.upsert_many(items).is_err());
    assert!(
        !index.contains(key(5_000)),
        "nothing indexed when one is refused"
    );
    assert_eq!(index.len(), 3_000);
}

#[test]
fn bulk_loading_nothing_leaves_an_empty_index_that_still_works() {
    // A server starting with no stored vectors loads an empty batch first.
    let index = VectorIndex::with_config(graph_only());
    index.upsert_many(Vec::new()).unwrap();
    assert_eq!(index.len(), 0);
    let mut data = Data::new(3);
    let v = data.vector();
    assert!(index.search(&v, 5, &Filter::default()).is_empty());
    index
        .upsert_many(vec![(key(1), v.clone(), meta(1))])
        .unwrap();
    assert_eq!(index.search(&v, 1, &Filter::default())[0].0, key(1));
}

#[test]
fn the_search_copy_keeps_recall_and_sees_later_writes() {
    let (index, vectors) = filled(3_000, graph_only(), 12);
    assert!(index.refresh_search_copy(), "3,000 uncopied slots");
    assert!(!index.refresh_search_copy(), "nothing new since");
    let mut data = Data::new(13);
    let queries: Vec<Vector> = (0..100).map(|_| data.vector()).collect();
    let r = recall(&index, &queries, 10, &Filter::default());
    println!("search copy recall@10 {r:.3}");
    assert!(r >= 0.95, "recall@10 {r}");
    for (i, v) in vectors.iter().enumerate().step_by(101) {
        assert_eq!(index.search(v, 1, &Filter::default())[0].0, key(i));
    }

    // Written after the copy: new keys, a moved key and a removed one.
    let fresh: Vec<Vector> = (0..20).map(|_| data.vector()).collect();
    for (i, v) in fresh.iter().enumerate() {
        index.upsert(key(10_000 + i), v, meta(i)).unwrap();
    }
    let moved = data.vector();
    index.upsert(key(7), &moved, meta(7)).unwrap();
    assert!(index.remove(key(8)));
    assert!(
        !index.refresh_search_copy(),
        "21 new slots are searched on the side"
    );
    for (i, v) in fresh.iter().enumerate() {
        assert_eq!(index.search(v, 1, &Filter::default())[0].0, key(10_000 + i));
    }
    assert_eq!(index.search(&moved, 1, &Filter::default())[0].0, key(7));
    let near_old = index.search(&vectors[7], 5, &Filter::default());
    assert!(
        near_old
            .iter()
            .all(|(k, s)| *k != key(7) || (*s - 1.0).abs() > 1e-3)
    );
    let near_removed = index.search(&vectors[8], 10, &Filter::default());
    assert!(near_removed.iter().all(|(k, _)| *k != key(8)));

    // Filters still hold on the copy.
    let filter = Filter {
        category: Some("cat-3".to_owned()),
        ..Filter::default()
    };
    let found = index.search(&queries[0], 10, &filter);
    assert_eq!(found.len(), 10);
    assert!(recall(&index, &queries, 10, &filter) >= 0.9);
}

#[test]
fn entries_written_without_the_graph_are_found_exactly() {
    let index = VectorIndex::with_config(graph_only());
    let mut data = Data::new(21);
    let vectors: Vec<Vector> = (0..3_000).map(|_| data.vector()).collect();
    let items = |range: std::ops::Range<usize>| {
        range
            .map(|i| (key(i), vectors[i].clone(), meta(i)))
            .collect::<Vec<_>>()
    };
    index.add_many(items(0..3_000)).unwrap();
    assert_eq!(index.len(), 3_000);
    assert_eq!(index.ungraphed(), 3_000, "nothing is in the graph yet");
    let queries: Vec<Vector> = (0..30).map(|_| data.vector()).collect();
    let r = recall(&index, &queries, 10, &Filter::default());
    assert!(r > 0.999, "searched exactly, recall@10 {r}");
    for (i, v) in vectors.iter().enumerate().step_by(89) {
        assert_eq!(index.search(v, 1, &Filter::default())[0].0, key(i));
    }

    // Half the graph built, half not: both halves are found, none twice.
    index.catch_up();
    assert_eq!(index.ungraphed(), 0);
    let more: Vec<Vector> = (0..2_000).map(|_| data.vector()).collect();
    let extra: Vec<_> = more
        .iter()
        .enumerate()
        .map(|(i, v)| (key(3_000 + i), v.clone(), meta(i)))
        .collect();
    index.add_many(extra).unwrap();
    assert_eq!(index.ungraphed(), 2_000);
    for (i, v) in more.iter().enumerate().step_by(97) {
        let found = index.search(v, 10, &Filter::default());
        assert_eq!(found[0].0, key(3_000 + i));
        let distinct: HashSet<_> = found.iter().map(|(k, _)| *k).collect();
        assert_eq!(distinct.len(), 10, "no key comes twice");
    }
    assert!(recall(&index, &queries, 10, &Filter::default()) >= 0.95);
}

#[test]
fn searches_answer_in_full_while_a_load_is_inserted_beside_them() {
    let index = std::sync::Arc::new(VectorIndex::with_config(graph_only()));
    let mut data = Data::new(22);
    let vectors: Vec<Vector> = (0..6_000).map(|_| data.vector()).collect();
    let items: Vec<_> = vectors
        .iter()
        .enumerate()
        .map(|(i, v)| (key(i), v.clone(), meta(i)))
        .collect();
    index.add_many(items).unwrap();
    let inserter = {
        let index = std::sync::Arc::clone(&index);
        std::thread::spawn(move || index.catch_up())
    };
    let mut searched = 0;
    while !inserter.is_finished() || searched < 50 {
        let i = (searched * 61) % vectors.len();
        let found = index.search(&vectors[i], 10, &Filter::default());
        assert_eq!(found.len(), 10);
        assert_eq!(found[0].0, key(i), "query {searched}");
        let distinct: HashSet<_> = found.iter().map(|(k, _)| *k).collect();
        assert_eq!(distinct.len(), 10, "no key comes twice");
        searched += 1;
    }
    inserter.join().unwrap();
    assert_eq!(index.ungraphed(), 0);
    assert_eq!(index.len(), 6_000);
}
