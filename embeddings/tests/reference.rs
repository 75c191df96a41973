//! The embedder against vectors from the reference Python implementation
//! (sentence-transformers all-MiniLM-L6-v2). Fetches the model with
//! `souk model fetch` (the same function) when it is not installed yet.
// Test code: clippy.toml allows unwrap/expect in `#[test]` fns only, not in helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::OnceLock;

use serde::Deserialize;
use souk_embeddings::Vector;
use souk_embeddings::model::{Embedder, Matmul, SharedEmbedder, default_model_dir, fetch};

#[derive(Deserialize)]
struct Reference {
    text: String,
    embedding: Vec<f32>,
}

/// One model per test binary, fetched first if needed.
fn embedder() -> &'static Embedder {
    static EMBEDDER: OnceLock<Embedder> = OnceLock::new();
    EMBEDDER.get_or_init(|| {
        let dir = model_dir();
        Embedder::load(&dir).expect("load the model")
    })
}

fn model_dir() -> PathBuf {
    let dir = default_model_dir();
    fetch(&dir).expect("fetch the model (souk model fetch)");
    dir
}

fn references() -> Vec<Reference> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/minilm_reference.json"
    );
    let bytes = std::fs::read(path).expect("read the fixture");
    serde_json::from_slice(&bytes).expect("parse the fixture")
}

/// Asserts cosine ≥ 0.999 to the reference for every fixture sentence and
/// returns the smallest cosine.
fn check_against_reference(embedder: &Embedder) -> f32 {
    let references = references();
    assert_eq!(references.len(), 20);
    let texts: Vec<&str> = references.iter().map(|r| r.text.as_str()).collect();
    let vectors = embedder.embed(&texts).unwrap();
    assert_eq!(vectors.len(), references.len());
    let mut minimum = f32::MAX;
    for (reference, vector) in references.iter().zip(&vectors) {
        let expected = Vector::from_slice(&reference.embedding).unwrap();
        let similarity = vector.cosine(&expected);
        assert!((vector.norm() - 1.0).abs() < 1e-4, "not normalised");
        assert!(
            similarity >= 0.999,
            "cosine {similarity} for {:?}",
            reference.text
        );
        minimum = minimum.min(similarity);
    }
    minimum
}

#[test]
fn matches_the_reference_implementation() {
    let minimum = check_against_reference(embedder());
    println!(
        "default path (AMX: {}): minimum cosine similarity to the reference {minimum:.7} (1 - min = {:.2e})",
        embedder().uses_amx(),
        1.0 - minimum
    );
}

#[test]
fn the_f32_path_matches_the_reference_too() {
    let f32_only = Embedder::load_with(&model_dir(), Matmul::F32).unwrap();
    assert!(!f32_only.uses_amx());
    let minimum = check_against_reference(&f32_only);
    println!(
        "f32 path: minimum cosine similarity to the reference {minimum:.7} (1 - min = {:.2e})",
        1.0 - minimum
    );
}

#[test]
fn batch_and_single_embeddings_agree() {
    let texts = [
        "a short one",
        "Stainless steel insulated water bottle that keeps drinks cold for a day",
        "gift for a coffee lover under $50",
        "",
    ];
    let batch = embedder().embed(&texts).unwrap();
    for (text, batched) in texts.iter().zip(&batch) {
        let single = embedder().embed_one(text).unwrap();
        let similarity = single.cosine(batched);
        assert!(similarity > 0.9999, "{similarity} for {text:?}");
    }
}

#[test]
fn duplicate_texts_get_the_same_vector_and_find_each_other() {
    use souk_embeddings::index::{Filter, ItemMeta, VectorIndex};
    let texts = [
        "red running shoes",
        "espresso coffee beans",
        "red running shoes",
        "a much longer description of a pair of red running shoes for the road",
        "red running shoes",
    ];
    let vectors = embedder().embed(&texts).unwrap();
    assert!(vectors[0].cosine(&vectors[2]) > 0.99999);
    assert!(vectors[0].cosine(&vectors[4]) > 0.99999);
    let index: VectorIndex<usize> = VectorIndex::new();
    for (i, v) in vectors.iter().enumerate() {
        let meta = ItemMeta {
            category: "shoes".to_owned(),
            price_minor: 100,
            currency: "USD".to_owned(),
            in_stock: true,
            seller: uuid::Uuid::nil(),
        };
        index.upsert(i, v, meta).unwrap();
    }
    for v in &vectors {
        assert!((index.search(v, 1, &Filter::default())[0].1 - 1.0).abs() < 1e-4);
    }
    let mut same: Vec<usize> = index
        .search(&vectors[0], 3, &Filter::default())
        .into_iter()
        .map(|r| r.0)
        .collect();
    same.sort_unstable();
    assert_eq!(same, vec![0, 2, 4]);
}

#[test]
fn similar_texts_are_closer_than_unrelated_ones() {
    let v = embedder()
        .embed(&[
            "espresso coffee beans",
            "dark roast coffee",
            "cordless drill",
        ])
        .unwrap();
    assert!(v[0].cosine(&v[1]) > v[0].cosine(&v[2]) + 0.2);
}

#[test]
fn long_texts_are_truncated_not_rejected() {
    let long = "waterproof hiking boots with ankle support ".repeat(200);
    let vectors = embedder().embed(&[long.as_str(), "boots"]).unwrap();
    assert_eq!(vectors.len(), 2);
    assert!((vectors[0].norm() - 1.0).abs() < 1e-4);
}

#[test]
fn more_than_one_batch_keeps_order() {
    let texts: Vec<String> = (0..40).map(|i| format!("product number {i}")).collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let all = embedder().embed(&refs).unwrap();
    assert_eq!(all.len(), 40);
    let last = embedder().embed_one(refs[39]).unwrap();
    assert!(all[39].cosine(&last) > 0.9999);
    assert!(embedder().embed(&[]).unwrap().is_empty());
}

#[tokio::test]
async fn shared_embedder_runs_off_the_runtime() {
    let shared = SharedEmbedder::load(model_dir()).await.unwrap();
    let texts = vec![
        "red running shoes".to_owned(),
        "blue rain jacket".to_owned(),
    ];
    let (a, b) = tokio::join!(
        shared.embed_catalog(texts.clone()),
        shared.embed_query(texts[0].clone())
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.len(), 2);
    assert!(a[0].cosine(&b) > 0.9999);
    assert!(shared.embed_catalog(Vec::new()).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_are_answered_while_a_catalog_is_embedded() {
    let shared = SharedEmbedder::load(model_dir()).await.unwrap();
    let catalog: Vec<String> = (0..512)
        .map(|i| format!("Merino wool scarf no. {i}, hand-knitted in a cable pattern"))
        .collect();
    let embedding = tokio::spawn({
        let shared = shared.clone();
        let catalog = catalog.clone();
        async move { shared.embed_catalog(catalog).await }
    });
    // Let the catalog job get going (it takes seconds).
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let queries = ["red running shoes", "a gift for a gardener", "desk lamp"];
    let (a, b, c) = tokio::join!(
        shared.embed_query(queries[0].to_owned()),
        shared.embed_query(queries[1].to_owned()),
        shared.embed_query(queries[2].to_owned()),
    );
    let answers = [a, b, c];
    assert!(
        !embedding.is_finished(),
        "the queries did not wait for the catalog's 512 products"
    );
    for (query, answer) in queries.iter().zip(answers) {
        let alone = embedder().embed_one(query).unwrap();
        assert!(answer.unwrap().cosine(&alone) > 0.99999, "{query}");
    }
    let vectors = embedding.await.unwrap().unwrap();
    assert_eq!(vectors.len(), catalog.len());
    let last = embedder().embed_one(&catalog[511]).unwrap();
    assert!(vectors[511].cosine(&last) > 0.99999);
}
