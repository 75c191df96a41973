//! Vector index benchmark: build time, single-thread queries/s and recall@10
//! against exact search, on clustered synthetic 384-dim unit vectors (fixed
//! seed), at several search widths (`ef`).
//!
//! Run: `cargo bench -p souk-embeddings --bench hnsw -- [N] [--links M]
//! [--ef-construction E] [--ef 16,32,64] [--queries Q] [--parallel-build]
//! [--rebuild] [--dump DIR]`.
//! The graph is built by upserting one vector at a time on one thread, or
//! with `--parallel-build` by one `upsert_many` on every core (what a bulk
//! load does). `--rebuild` then rebuilds the graph with parallel insertion
//! (what compaction does) and measures again.
//! N defaults to 100,000. `--dump DIR` also writes the data set as raw
//! little-endian f32 (`base.f32`, `queries.f32`) for `hnswlib_reference.py`.

use std::collections::HashSet;
use std::time::Instant;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use souk_embeddings::index::{Filter, IndexConfig, ItemMeta, VectorIndex};
use souk_embeddings::{DIM, Vector};
use uuid::Uuid;

const K: usize = 10;

struct Args {
    n: usize,
    queries: usize,
    efs: Vec<usize>,
    config: IndexConfig,
    dump: Option<String>,
    rebuild: bool,
    parallel_build: bool,
}

fn parse_args() -> Result<Args, Box<dyn std::error::Error>> {
    let mut args = Args {
        n: 100_000,
        queries: 1_000,
        efs: vec![16, 24, 32, 48, 64, 96, 128, 256],
        config: IndexConfig::default(),
        dump: None,
        rebuild: false,
        parallel_build: false,
    };
    let mut it = std::env::args().skip(1).filter(|a| a != "--bench");
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--links" => args.config.links = value()?.parse()?,
            "--ef-construction" => args.config.ef_construction = value()?.parse()?,
            "--queries" => args.queries = value()?.parse()?,
            "--ef" => {
                args.efs = value()?
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()?
            }
            "--dump" => args.dump = Some(value()?),
            "--rebuild" => args.rebuild = true,
            "--parallel-build" => args.parallel_build = true,
            n => args.n = n.parse()?,
        }
    }
    Ok(args)
}

/// Unit vectors around `n / 100` random centres: each is its centre plus
/// Gaussian noise of norm about 0.5, normalised (cosine about 0.8 between
/// points of one cluster, about 0 between clusters).
fn clustered(n: usize, queries: usize, seed: u64) -> (Vec<Vector>, Vec<Vector>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let centres: Vec<Vec<f32>> = (0..(n / 100).max(1))
        .map(|_| gaussian(&mut rng, 1.0))
        .collect();
    let point = |rng: &mut StdRng| {
        let centre = &centres[rng.gen_range(0..centres.len())];
        let noise = gaussian(rng, 0.5);
        let mixed: Vec<f32> = centre.iter().zip(&noise).map(|(c, e)| c + e).collect();
        Vector::normalized(&mixed)
    };
    let base = (0..n).map(|_| point(&mut rng)).collect::<Result<_, _>>();
    let asked = (0..queries)
        .map(|_| point(&mut rng))
        .collect::<Result<_, _>>();
    (base.unwrap_or_default(), asked.unwrap_or_default())
}

/// A random vector with independent normal components, of norm about `norm`.
fn gaussian(rng: &mut StdRng, norm: f32) -> Vec<f32> {
    let scale = norm / (DIM as f32).sqrt();
    (0..DIM)
        .map(|_| {
            // Box–Muller.
            let u: f32 = rng.gen_range(f32::EPSILON..1.0);
            let v: f32 = rng.gen_range(0.0..std::f32::consts::TAU);
            scale * (-2.0 * u.ln()).sqrt() * v.cos()
        })
        .collect()
}

fn meta() -> ItemMeta {
    ItemMeta {
        category: "bench".to_owned(),
        price_minor: 100,
        currency: "USD".to_owned(),
        in_stock: true,
        seller: Uuid::nil(),
    }
}

fn key(i: usize) -> Uuid {
    Uuid::from_u128(i as u128 + 1)
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg").unwrap_or_default()
}

fn dump(dir: &str, base: &[Vector], queries: &[Vector]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, vectors) in [("base.f32", base), ("queries.f32", queries)] {
        let bytes: Vec<u8> = vectors.iter().flat_map(Vector::to_bytes).collect();
        std::fs::write(format!("{dir}/{name}"), bytes)?;
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    println!("load average at start: {}", load().trim());
    let (base, queries) = clustered(args.n, args.queries, 42);
    if let Some(dir) = &args.dump {
        dump(dir, &base, &queries)?;
    }
    let config = &args.config;
    println!(
        "{} vectors, {} queries, links {}, ef_construction {}",
        base.len(),
        queries.len(),
        config.links,
        config.ef_construction
    );

    let index = VectorIndex::with_config(config.clone());
    let started = Instant::now();
    let how = if args.parallel_build {
        let items = base
            .iter()
            .enumerate()
            .map(|(i, v)| (key(i), v.clone(), meta()))
            .collect();
        index.upsert_many(items)?;
        "upsert_many, every core"
    } else {
        for (i, v) in base.iter().enumerate() {
            index.upsert(key(i), v, meta())?;
        }
        "upsert one by one, 1 thread"
    };
    println!("build ({how}): {:.1} s", started.elapsed().as_secs_f64());
    let started = Instant::now();
    if index.refresh_search_copy() {
        println!(
            "search copy of the graph: {:.2} s",
            started.elapsed().as_secs_f64()
        );
    }

    let started = Instant::now();
    let truth: Vec<HashSet<Uuid>> = std::thread::scope(|s| {
        let halves: Vec<_> = queries
            .chunks(queries.len().div_ceil(2).max(1))
            .map(|part| {
                let index = &index;
                s.spawn(move || {
                    part.iter()
                        .map(|q| exact_keys(index, q))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        halves
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    println!(
        "exact search (2 threads): {:.1} s",
        started.elapsed().as_secs_f64()
    );

    table(&index, &queries, &truth, &args.efs);
    if args.rebuild {
        let stats = index.rebuild();
        println!(
            "rebuild (parallel insertion, {} threads): {:.1} s",
            std::thread::available_parallelism().map_or(1, |n| n.get()),
            stats.elapsed.as_secs_f64()
        );
        table(&index, &queries, &truth, &args.efs);
    }
    println!("load average at end: {}", load().trim());
    Ok(())
}

/// Prints recall@10 and single-thread queries/s for each `ef`.
fn table(index: &VectorIndex, queries: &[Vector], truth: &[HashSet<Uuid>], efs: &[usize]) {
    println!("| ef | recall@10 | queries/s (1 thread) |");
    for &ef in efs {
        let started = Instant::now();
        let found: Vec<Vec<(Uuid, f32)>> = queries
            .iter()
            .map(|q| index.search_with(q, K, &Filter::default(), ef))
            .collect();
        let secs = started.elapsed().as_secs_f64();
        let hits: usize = found
            .iter()
            .zip(truth)
            .map(|(got, want)| got.iter().filter(|(k, _)| want.contains(k)).count())
            .sum();
        let recall = hits as f64 / (truth.len() * K) as f64;
        let qps = queries.len() as f64 / secs;
        println!("| {ef} | {recall:.3} | {qps:.0} |");
    }
}

fn exact_keys(index: &VectorIndex, query: &Vector) -> HashSet<Uuid> {
    index
        .search_exact(query, K, &Filter::default())
        .into_iter()
        .map(|(k, _)| k)
        .collect()
}
