//! Phase 2 of the flash-sale bench: buyers loop add to cart → checkout → pay on well-stocked
//! products for a fixed time, measuring paid checkouts per second.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use hyper::StatusCode;
use tokio::time::Instant;

use super::WARM_UP;
use super::checkout_client::{Api, Created, Tally};
use super::flash::p50_p99;
use super::load::Window;

/// Pause after a transport error, so a dead server is not hammered in a tight loop.
const RECONNECT_DELAY: Duration = Duration::from_millis(50);

/// What the sustained phase measured inside its window.
#[derive(Default)]
pub struct Sustained {
    measured: Duration,
    buyers: usize,
    products: usize,
    completed: u64,
    /// Server CPU seconds spent inside the window, when its metrics say.
    server_cpu: Option<f64>,
    checkout_us: Vec<u32>,
    cycle_us: Vec<u32>,
    errors: Tally,
}

/// One buyer per task, each looping over `products` from its own offset, through a
/// warm-up and then `measured`.
pub async fn run(
    authority: &Arc<str>,
    tokens: Vec<String>,
    products: Arc<Vec<String>>,
    measured: Duration,
) -> anyhow::Result<Sustained> {
    let measure_from = Instant::now() + WARM_UP;
    let window = Window {
        measure_from,
        until: measure_from + measured,
    };
    let buyers = tokens.len();
    let cpu = tokio::spawn(server_cpu(Api::new(authority.clone()), window));
    let tasks: Vec<_> = tokens
        .into_iter()
        .enumerate()
        .map(|(task, token)| {
            let api = Api::new(authority.clone());
            tokio::spawn(buyer_loop(api, token, products.clone(), task, window))
        })
        .collect();
    let mut total = Sustained {
        measured,
        buyers,
        products: products.len(),
        ..Sustained::default()
    };
    for task in tasks {
        let r = task.await.context("a checkout loop failed")?;
        total.completed += r.completed;
        total.checkout_us.extend(r.checkout_us);
        total.cycle_us.extend(r.cycle_us);
        total.errors.merge(r.errors);
    }
    total.server_cpu = cpu.await.context("the CPU probe failed")?;
    Ok(total)
}

/// The server CPU time used between the window's start and end, read from its
/// `process_cpu_seconds_total`: the server's own cost per checkout, apart from
/// the load generator's share of the machine.
async fn server_cpu(mut api: Api, window: Window) -> Option<f64> {
    tokio::time::sleep_until(window.measure_from).await;
    let before = api.metric("process_cpu_seconds_total").await.ok()??;
    tokio::time::sleep_until(window.until).await;
    let after = api.metric("process_cpu_seconds_total").await.ok()??;
    Some(after - before)
}

/// Why a cycle did not end in a paid order: the key it is counted under, and detail.
struct Failed(String, String);

async fn buyer_loop(
    mut api: Api,
    token: String,
    products: Arc<Vec<String>>,
    task: usize,
    window: Window,
) -> Sustained {
    let mut stats = Sustained::default();
    // Phase 1 may have left an unsold unit in the cart.
    if let Ok(Err(e)) = tokio::time::timeout_at(window.until, api.clear_cart(&token)).await {
        stats
            .errors
            .record("clear cart transport error".to_owned(), || format!("{e:#}"));
    }
    let mut turn = task;
    while Instant::now() < window.until {
        let product = products
            .get(turn % products.len().max(1))
            .map_or("", String::as_str);
        turn = turn.wrapping_add(1);
        let started = Instant::now();
        let outcome = tokio::time::timeout_at(window.until, cycle(&mut api, &token, product)).await;
        let finished = Instant::now();
        let measuring = finished >= window.measure_from;
        match outcome {
            // The window closed mid-cycle: abandon it.
            Err(_) => break,
            Ok(Ok(checkout)) => {
                if measuring {
                    stats.completed += 1;
                    stats.checkout_us.push(micros(checkout));
                    stats.cycle_us.push(micros(finished - started));
                }
            }
            Ok(Err(Failed(kind, detail))) => {
                if kind.ends_with("transport error") {
                    tokio::time::sleep(RECONNECT_DELAY).await;
                }
                if measuring {
                    stats.errors.record(kind, || detail);
                }
                // Start the next cycle from an empty cart.
                let _ = tokio::time::timeout_at(window.until, api.clear_cart(&token)).await;
            }
        }
    }
    stats
}

/// Adds one unit to the cart, checks out and pays. Returns the checkout's latency.
async fn cycle(api: &mut Api, token: &str, product: &str) -> Result<Duration, Failed> {
    let transport = |what: &str| {
        let what = what.to_owned();
        move |e: anyhow::Error| Failed(format!("{what} transport error"), format!("{e:#}"))
    };
    let added = api
        .add_one(token, product)
        .await
        .map_err(transport("cart"))?;
    if added.status != StatusCode::OK {
        return Err(Failed(added.kind("cart"), added.snippet()));
    }
    let started = Instant::now();
    let reply = api.checkout(token).await.map_err(transport("checkout"))?;
    let checkout = started.elapsed();
    if reply.status != StatusCode::CREATED {
        return Err(Failed(reply.kind("checkout"), reply.snippet()));
    }
    let order: Created = reply
        .json(StatusCode::CREATED, "POST /checkout")
        .map_err(|e| Failed("checkout 201 without id".to_owned(), format!("{e:#}")))?;
    let paid = api.pay(token, &order.id).await.map_err(transport("pay"))?;
    if paid.status != StatusCode::OK {
        return Err(Failed(paid.kind("pay"), paid.snippet()));
    }
    Ok(checkout)
}

fn micros(d: Duration) -> u32 {
    u32::try_from(d.as_micros()).unwrap_or(u32::MAX)
}

impl Sustained {
    pub fn print(&self, rss_mib: Option<f64>) {
        let per_sec = self.completed as f64 / self.measured.as_secs_f64();
        let rss = rss_mib.map_or("n/a".to_owned(), |mib| format!("{mib:.1}"));
        let cpu = match self.server_cpu {
            Some(seconds) if self.completed > 0 => {
                format!("{:.3}", seconds * 1000.0 / self.completed as f64)
            }
            _ => "n/a".to_owned(),
        };
        println!();
        println!(
            "### Phase 2: sustained cart → checkout → pay ({} buyers, {} products × 1,000,000 units, {} s)",
            self.buyers,
            self.products,
            self.measured.as_secs()
        );
        println!();
        println!(
            "| completed (paid) checkouts | checkouts/s | checkout p50 / p99 ms | full cycle p50 / p99 ms | errors | server CPU ms per checkout | server RSS MiB |"
        );
        println!("|---:|---:|---:|---:|---:|---:|---:|");
        println!(
            "| {} | {per_sec:.1} | {} | {} | {} | {cpu} | {rss} |",
            self.completed,
            p50_p99(&mut self.checkout_us.clone()),
            p50_p99(&mut self.cycle_us.clone()),
            self.errors.total()
        );
        self.errors.print("phase 2 errors by kind");
    }
}
