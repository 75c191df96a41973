//! Embedding throughput: sentences per second for batches of 32 product-like
//! sentences (the reference fixture's texts), after one warm-up batch; the
//! latency of one short query, and of four queries in one pass (what
//! `SharedEmbedder` does with concurrent callers). Both matrix-product paths
//! are measured: bf16 on AMX tiles (when this CPU has them) and f32.
//! Run: `cargo bench -p souk-embeddings --bench embed`.

use std::time::Instant;

use serde_json::Value;
use souk_embeddings::model::{Embedder, Matmul, default_model_dir, fetch};

const ROUNDS: usize = 20;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = default_model_dir();
    fetch(&dir)?;
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
    let queries = [
        "waterproof hiking boots under 120 dollars",
        "a gift for a coffee lover",
        "cheap red t-shirt in size m",
        "noise cancelling headphones",
    ];
    println!(
        "cores: {}; load average: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    for matmul in [Matmul::Auto, Matmul::F32] {
        let embedder = Embedder::load_with(&dir, matmul)?;
        let path = if embedder.uses_amx() {
            "bf16 AMX"
        } else {
            "f32"
        };
        embedder.embed(&batch)?;
        let batch_secs = time(|| embedder.embed(&batch))?;
        let query_secs = time(|| embedder.embed(&query))?;
        let four_secs = time(|| embedder.embed(&queries))?;
        println!(
            "{path}: batch of 32: {:.1} ms, {:.1} sentences/s; one short query: {:.2} ms; \
             4 queries in one pass: {:.2} ms",
            batch_secs * 1000.0,
            32.0 / batch_secs,
            query_secs * 1000.0,
            four_secs * 1000.0
        );
    }
    Ok(())
}

/// Mean seconds per call of `f` over [`ROUNDS`] calls.
fn time<T, E>(mut f: impl FnMut() -> Result<T, E>) -> Result<f64, E> {
    let started = Instant::now();
    for _ in 0..ROUNDS {
        f()?;
    }
    Ok(started.elapsed().as_secs_f64() / ROUNDS as f64)
}
