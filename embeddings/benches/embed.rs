//! Embedding throughput: sentences per second for batches of 32 product-like
//! sentences (the reference fixture's texts), after one warm-up batch.
//! Run: `cargo bench -p souk-embeddings --bench embed`.

use std::time::Instant;

use serde_json::Value;
use souk_embeddings::model::{Embedder, default_model_dir, ensure_fetched};

const ROUNDS: usize = 10;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = default_model_dir();
    ensure_fetched(&dir)?;
    let embedder = Embedder::load(&dir)?;
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/minilm_reference.json"
    );
    let references: Vec<Value> = serde_json::from_slice(&std::fs::read(fixture)?)?;
    let sentences: Vec<&str> = references
        .iter()
        .filter_map(|r| r["text"].as_str())
        .collect();
    let batch: Vec<&str> = sentences.iter().copied().cycle().take(32).collect();
    let query = ["waterproof hiking boots under 120 dollars"];
    embedder.embed(&batch)?;
    let started = Instant::now();
    for _ in 0..ROUNDS {
        embedder.embed(&batch)?;
    }
    let batch_secs = started.elapsed().as_secs_f64() / ROUNDS as f64;
    let started = Instant::now();
    for _ in 0..ROUNDS {
        embedder.embed(&query)?;
    }
    let query_secs = started.elapsed().as_secs_f64() / ROUNDS as f64;
    println!(
        "cores: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "batch of 32: {:.0} ms, {:.1} sentences/s; one short query: {:.1} ms",
        batch_secs * 1000.0,
        32.0 / batch_secs,
        query_secs * 1000.0
    );
    Ok(())
}
