//! Bulk loading and the search copy of the graph.

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
