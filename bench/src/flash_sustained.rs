//! Phase 2 of the flash-sale bench: buyers loop add to cart → checkout → pay on well-stocked
//! products for a fixed time, measuring paid checkouts per second.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::time::Instant;

use super::WARM_UP;
use super::buyer::Buyer;
use super::checkout_client::Api;
use super::flash_paid::{Failed, Paid, add_one, checkout_and_pay};
use super::load::RECONNECT_DELAY;
use super::load::Window;

/// What the sustained phase measured inside its window.
pub struct Sustained {
    buyers: usize,
    products: usize,
    paid: Paid,
}

/// One buyer per task, each looping over `products` from its own offset, through a
/// warm-up and then `measured`.
pub async fn run(
    authority: &Arc<str>,
    buyers: Vec<Arc<Buyer>>,
    products: Arc<Vec<String>>,
    measured: Duration,
) -> anyhow::Result<Sustained> {
    let measure_from = Instant::now() + WARM_UP;
    let window = Window {
        measure_from,
        until: measure_from + measured,
    };
    let count = buyers.len();
    let cpu = tokio::spawn(server_cpu(Api::new(authority.clone()), window));
    let tasks: Vec<_> = buyers
        .into_iter()
        .enumerate()
        .map(|(task, buyer)| {
            let api = Api::new(authority.clone());
            tokio::spawn(buyer_loop(api, buyer, products.clone(), task, window))
        })
        .collect();
    let mut paid = Paid {
        measured,
        ..Paid::default()
    };
    for task in tasks {
        paid.merge(task.await.context("a checkout loop failed")?);
    }
    paid.server_cpu = cpu.await.context("the CPU probe failed")?;
    Ok(Sustained {
        buyers: count,
        products: products.len(),
        paid,
    })
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

async fn buyer_loop(
    mut api: Api,
    buyer: Arc<Buyer>,
    products: Arc<Vec<String>>,
    task: usize,
    window: Window,
) -> Paid {
    let mut token = buyer.token();
    let mut stats = Paid::default();
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
                    stats.record(checkout, finished - started);
                }
            }
            Ok(Err(failed)) => {
                if failed.is_transport() {
                    tokio::time::sleep(RECONNECT_DELAY).await;
                }
                buyer
                    .renew_if_refused(&mut api, &failed, &mut stats.errors)
                    .await;
                token = buyer.token();
                if measuring {
                    stats.errors.record(failed.0, || failed.1);
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
    add_one(api, token, product).await?;
    checkout_and_pay(api, token).await
}

impl Sustained {
    pub fn print(&self, rss_mib: Option<f64>) {
        let heading = format!(
            "### Phase 2: sustained cart → checkout → pay ({} buyers, {} products × {} units, {} s)",
            self.buyers,
            self.products,
            super::flash::SUSTAINED_STOCK,
            self.paid.measured.as_secs()
        );
        self.paid.print(&heading, "full cycle", rss_mib);
        self.paid.errors.print("phase 2 errors by kind");
    }
}
