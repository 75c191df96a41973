//! Actor density: how many live cart actors fit in memory, and how fast they
//! activate. Run: `cargo bench -p souk-actors --bench density -- 1000000`.
//!
//! The carts are written to the in-memory store first (one line each), so the
//! memory measured while activating is the actors' own: each cart actor's
//! entry in its host (state, queue, last use) and the loaded cart.

use std::sync::Arc;
use std::time::{Duration, Instant};

use souk_actors::CartHandle;
use souk_actors::store::{CartStore, MemoryStore, Store};
use souk_models::{Cart, CartLine, ProductId, Quantity, UserId};
use time::OffsetDateTime;

const BATCH: usize = 10_000;
/// The default of `actors.cart_hosts`.
const HOSTS: usize = 32;

fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kib| kib * 1024)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let count: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(count))
}

async fn run(count: usize) -> Result<(), Box<dyn std::error::Error>> {
    let store = Arc::new(MemoryStore::new());
    let product = ProductId::new();
    let quantity = Quantity::new(1)?;
    let users: Vec<UserId> = (0..count).map(|_| UserId::new()).collect();
    for user in &users {
        let cart = Cart {
            user_id: *user,
            lines: vec![CartLine {
                product_id: product,
                quantity,
            }],
            updated_at: OffsetDateTime::now_utc(),
        };
        store.put_cart(&cart).await?;
    }
    let dyn_store: Arc<dyn Store> = store.clone();
    let carts = CartHandle::start(
        dyn_store,
        HOSTS,
        Duration::from_secs(3600),
        Duration::from_secs(30),
    )
    .await?;
    let before = rss_bytes();
    let started = Instant::now();
    for batch in users.chunks(BATCH) {
        let tasks: Vec<_> = batch
            .iter()
            .map(|user| {
                let (carts, user) = (carts.clone(), *user);
                tokio::spawn(async move { carts.get(user).await })
            })
            .collect();
        for task in tasks {
            let cart = task.await??;
            if cart.lines.len() != 1 {
                return Err("a cart came back without its line".into());
            }
        }
    }
    let elapsed = started.elapsed();
    let after = rss_bytes();
    let live = carts.live();
    let per_actor = after.saturating_sub(before) as f64 / live.max(1) as f64;
    println!(
        "cores: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!("live cart actors: {live}");
    println!(
        "activation: {:.1} s, {:.0} actors/s",
        elapsed.as_secs_f64(),
        live as f64 / elapsed.as_secs_f64()
    );
    println!(
        "RSS: {:.0} MiB before activation, {:.0} MiB after; {:.0} bytes per live actor ({:.2} million actors per GiB)",
        before as f64 / 1048576.0,
        after as f64 / 1048576.0,
        per_actor,
        (1u64 << 30) as f64 / per_actor.max(1.0) / 1e6
    );
    if live != count {
        return Err(format!("expected {count} live actors, found {live}").into());
    }
    Ok(())
}
