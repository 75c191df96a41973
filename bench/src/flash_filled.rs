//! Phase 3 of the flash-sale bench, the scenario the checkout aim is stated for: buyers
//! whose carts were filled beforehand check out and pay. Buyers are reused in rounds:
//! every cart is refilled with one unit (not measured), then every buyer checks out and
//! pays (measured), until the measured time adds up to `--duration`. The first round is
//! a warm-up. Each measured step ends with its slowest buyer, so the tail of every round
//! counts against the rate.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::Context;
use tokio::time::Instant;

use super::buyer::Buyer;
use super::checkout_client::Api;
use super::flash::fail;
use super::flash_paid::{Failed, Paid, add_one, checkout_and_pay, transport};
use super::flash_verify::available;
use super::load::RECONNECT_DELAY;

/// What the filled-cart rounds measured.
pub struct Filled {
    buyers: usize,
    products: usize,
    rounds: u32,
    paid: Paid,
    /// Units the products' stock went down by over the measured rounds.
    sold: u64,
}

/// What each buyer does in one step of a round.
#[derive(Clone)]
enum Step {
    /// Add one unit of the product the buyer's index picks, emptying the cart first
    /// when something may have been left in it.
    Fill(Arc<Vec<String>>),
    /// Check out and pay.
    Buy,
}

/// Rounds over every buyer in `registered`, `concurrency` at a time, until `measured` of
/// checking out and paying has been timed.
pub async fn run(
    authority: &Arc<str>,
    registered: &[Arc<Buyer>],
    products: Arc<Vec<String>>,
    concurrency: usize,
    measured: Duration,
) -> anyhow::Result<Filled> {
    let buyers = Arc::new(Buyers {
        list: registered.to_vec(),
        // Phase 1 left an unsold unit in most carts.
        unclean: registered.iter().map(|_| AtomicBool::new(true)).collect(),
    });
    let mut apis: Vec<Api> = (0..concurrency.clamp(1, buyers.list.len().max(1)))
        .map(|_| Api::new(authority.clone()))
        .collect();
    let mut probe = Api::new(authority.clone());
    let mut total = Paid::default();
    let mut cpu = Some(0.0);
    let mut rounds: u32 = 0;
    let mut stock_before = 0;
    while total.measured < measured {
        let (back, filled) = spread(apis, &buyers, Step::Fill(products.clone())).await?;
        if rounds == 1 {
            stock_before = stock(&mut probe, &products).await?;
        }
        let before = server_cpu(&mut probe).await;
        let started = Instant::now();
        let (back, bought) = spread(back, &buyers, Step::Buy).await?;
        let took = started.elapsed();
        let after = server_cpu(&mut probe).await;
        apis = back;
        // The first round warms the server up: nothing of it is counted.
        if rounds > 0 {
            total.measured += took;
            total.errors.merge(filled.errors);
            total.merge(bought);
            cpu = match (cpu, before, after) {
                (Some(sum), Some(before), Some(after)) => Some(sum + after - before),
                _ => None,
            };
        }
        rounds += 1;
    }
    total.server_cpu = cpu;
    let sold = sold_since(&mut probe, &products, stock_before, total.completed).await?;
    Ok(Filled {
        buyers: buyers.list.len(),
        products: products.len(),
        rounds: rounds.saturating_sub(1),
        paid: total,
        sold,
    })
}

/// The units available of all `products` together.
async fn stock(api: &mut Api, products: &[String]) -> anyhow::Result<u64> {
    let mut units = 0;
    for product in products {
        units += available(api, product).await?;
    }
    Ok(units)
}

/// How far the products' stock went down from `before`, read again for a moment while it
/// differs from `expected` (the catalog's copy of the stock follows the shards' by a little).
async fn sold_since(
    api: &mut Api,
    products: &[String],
    before: u64,
    expected: u64,
) -> anyhow::Result<u64> {
    let mut sold = 0;
    for _ in 0..20 {
        sold = before.saturating_sub(stock(api, products).await?);
        if sold == expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(sold)
}

/// Every buyer, and whether their cart may hold more than the last fill put in.
struct Buyers {
    list: Vec<Arc<Buyer>>,
    unclean: Vec<AtomicBool>,
}

/// The server's `process_cpu_seconds_total`, when its metrics are on the API listener.
async fn server_cpu(probe: &mut Api) -> Option<f64> {
    probe.metric("process_cpu_seconds_total").await.ok()?
}

/// Lets one task per connection in `apis` take buyers in order until every buyer has done
/// `step`. Returns the connections for the next step, and what the buyers measured.
async fn spread(
    apis: Vec<Api>,
    buyers: &Arc<Buyers>,
    step: Step,
) -> anyhow::Result<(Vec<Api>, Paid)> {
    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = apis
        .into_iter()
        .map(|api| {
            let (buyers, next, step) = (buyers.clone(), next.clone(), step.clone());
            tokio::spawn(work(api, buyers, next, step))
        })
        .collect();
    let mut apis = Vec::with_capacity(workers.len());
    let mut paid = Paid::default();
    for worker in workers {
        let (api, measured) = worker.await.context("a buyer task failed")?;
        apis.push(api);
        paid.merge(measured);
    }
    Ok((apis, paid))
}

async fn work(
    mut api: Api,
    buyers: Arc<Buyers>,
    next: Arc<AtomicUsize>,
    step: Step,
) -> (Api, Paid) {
    let mut paid = Paid::default();
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let (Some(buyer), Some(unclean)) = (buyers.list.get(i), buyers.unclean.get(i)) else {
            break;
        };
        let token = &buyer.token();
        let started = Instant::now();
        let outcome = match &step {
            Step::Fill(products) => {
                let product = &products[i % products.len()];
                fill(&mut api, token, product, unclean.load(Ordering::Relaxed))
                    .await
                    .map(|()| None)
            }
            Step::Buy => {
                let bought = checkout_and_pay(&mut api, token).await;
                // A failed checkout keeps its cart; a paid one emptied it.
                unclean.store(bought.is_err(), Ordering::Relaxed);
                bought.map(Some)
            }
        };
        match outcome {
            Ok(Some(checkout)) => paid.record(checkout, started.elapsed()),
            Ok(None) => {}
            Err(failed) => {
                if failed.is_transport() {
                    tokio::time::sleep(RECONNECT_DELAY).await;
                }
                buyer
                    .renew_if_refused(&mut api, &failed, &mut paid.errors)
                    .await;
                paid.errors.record(failed.0, || failed.1);
            }
        }
    }
    (api, paid)
}

/// Adds one unit of `product`, first emptying an `unclean` cart.
async fn fill(api: &mut Api, token: &str, product: &str, unclean: bool) -> Result<(), Failed> {
    if unclean {
        api.clear_cart(token)
            .await
            .map_err(transport("clear cart"))?;
    }
    add_one(api, token, product).await
}

impl Filled {
    pub fn print(&self, rss_mib: Option<f64>) {
        let heading = format!(
            "### Phase 3: carts filled beforehand, checkout → pay ({} buyers a round, {} measured rounds, {} products, {:.1} s measured)",
            self.buyers,
            self.rounds,
            self.products,
            self.paid.measured.as_secs_f64()
        );
        self.paid.print(&heading, "checkout + pay", rss_mib);
        let checked = if self.paid.errors.total() == 0 {
            ""
        } else {
            " (not checked: a failed checkout may hold units)"
        };
        println!();
        println!(
            "Stock sold over the measured rounds: {} units for {} paid checkouts of one unit{checked}.",
            self.sold, self.paid.completed
        );
        self.paid.errors.print("phase 3 errors by kind");
    }

    /// Fails unless the stock went down by exactly one unit per paid checkout. Not checked
    /// when a checkout failed: a failed payment leaves its order's units reserved.
    pub fn check(&self) -> anyhow::Result<()> {
        if self.paid.errors.total() == 0 && self.sold != self.paid.completed {
            return Err(fail(format!(
                "STOCK MISMATCH: the stock went down by {} units for {} paid checkouts",
                self.sold, self.paid.completed
            )));
        }
        Ok(())
    }
}
