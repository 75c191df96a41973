//! Phase 1 of the flash-sale bench: every buyer checks out one unit of a product with far
//! fewer units than buyers, then the orders and the stock are checked for overselling.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use hyper::StatusCode;

use super::checkout_client::{Api, Created, Tally};
use super::flash::{fail, p50_p99};
use super::flash_verify::{Found, expected_available, fault, oversold, verify};

/// What the contended sale did and what was found afterwards.
pub struct Sale {
    /// Units that were for sale.
    pub stock: u64,
    pub buyers: usize,
    /// Checkouts answered 201 with an order.
    pub placed: u64,
    /// Placed orders whose payment was accepted.
    pub paid: u64,
    /// Checkouts refused with 409 `out_of_stock`.
    pub out_of_stock: u64,
    /// Every other answer and transport error.
    pub errors: Tally,
    pub wall: Duration,
    placed_us: Vec<u32>,
    rejected_us: Vec<u32>,
    /// The buyers' orders and the product's stock, read back after the sale.
    pub found: Found,
}

#[derive(Default)]
struct WorkerResult {
    placed: u64,
    paid: u64,
    out_of_stock: u64,
    errors: Tally,
    placed_us: Vec<u32>,
    rejected_us: Vec<u32>,
}

/// Lets `concurrency` workers check out every buyer's cart (one unit of `product`, of
/// which `stock` units are for sale) and pay each placed order, then reads back every
/// buyer's orders and the product's stock.
pub async fn run(
    authority: &Arc<str>,
    tokens: &[String],
    product: &str,
    stock: u64,
    concurrency: usize,
) -> anyhow::Result<Sale> {
    let tokens: Arc<Vec<String>> = Arc::new(tokens.to_vec());
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency.min(tokens.len()))
        .map(|_| {
            let (tokens, next) = (tokens.clone(), next.clone());
            let api = Api::new(authority.clone());
            tokio::spawn(buy(api, tokens, next))
        })
        .collect();
    let mut total = WorkerResult::default();
    for worker in workers {
        let r = worker.await.context("a checkout task failed")?;
        total.placed += r.placed;
        total.paid += r.paid;
        total.out_of_stock += r.out_of_stock;
        total.errors.merge(r.errors);
        total.placed_us.extend(r.placed_us);
        total.rejected_us.extend(r.rejected_us);
    }
    let wall = started.elapsed();

    eprintln!("  verifying: reading every buyer's orders and the product's stock…");
    let found = verify(authority, &tokens, product, stock, concurrency).await?;
    Ok(Sale {
        stock,
        buyers: tokens.len(),
        placed: total.placed,
        paid: total.paid,
        out_of_stock: total.out_of_stock,
        errors: total.errors,
        wall,
        placed_us: total.placed_us,
        rejected_us: total.rejected_us,
        found,
    })
}

/// One worker: takes the next buyer until none are left.
async fn buy(mut api: Api, tokens: Arc<Vec<String>>, next: Arc<AtomicUsize>) -> WorkerResult {
    let mut r = WorkerResult::default();
    while let Some(token) = tokens.get(next.fetch_add(1, Ordering::Relaxed)) {
        let started = Instant::now();
        let reply = match api.checkout(token).await {
            Ok(reply) => reply,
            Err(e) => {
                r.errors
                    .record("checkout transport error".to_owned(), || format!("{e:#}"));
                continue;
            }
        };
        let micros = u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX);
        match reply.status {
            StatusCode::CREATED => {
                r.placed += 1;
                r.placed_us.push(micros);
                match reply.json::<Created>(StatusCode::CREATED, "POST /checkout") {
                    Ok(order) => match api.pay(token, &order.id).await {
                        Ok(paid) if paid.status == StatusCode::OK => r.paid += 1,
                        Ok(paid) => r.errors.record(paid.kind("pay"), || paid.snippet()),
                        Err(e) => r
                            .errors
                            .record("pay transport error".to_owned(), || format!("{e:#}")),
                    },
                    Err(e) => r
                        .errors
                        .record("checkout 201 without id".to_owned(), || format!("{e:#}")),
                }
            }
            StatusCode::CONFLICT if reply.code() == "out_of_stock" => {
                r.out_of_stock += 1;
                r.rejected_us.push(micros);
            }
            _ => r.errors.record(reply.kind("checkout"), || reply.snippet()),
        }
    }
    r
}

impl Sale {
    pub fn print(&self) {
        let per_sec = self.paid as f64 / self.wall.as_secs_f64();
        let statuses: Vec<String> = self
            .found
            .orders_by_status
            .iter()
            .map(|(s, n)| format!("{s}: {n}"))
            .collect();
        let stock = self.stock;
        let expected = expected_available(stock, self.found.units_ordered)
            .map_or_else(|| "none (oversold)".to_owned(), |n| n.to_string());
        println!();
        println!(
            "### Phase 1: contended sale ({} buyers, {stock} units of one product)",
            self.buyers
        );
        println!();
        println!("| measure | value |");
        println!("|---|---:|");
        println!("| completed (paid) checkouts | {} |", self.paid);
        println!("| orders placed (201) | {} |", self.placed);
        println!("| out_of_stock rejections (409) | {} |", self.out_of_stock);
        println!("| other errors | {} |", self.errors.total());
        println!("| wall time s | {:.2} |", self.wall.as_secs_f64());
        println!("| completed checkouts/s | {per_sec:.1} |");
        println!(
            "| checkout p50 / p99 ms, 201 placed | {} |",
            p50_p99(&mut self.placed_us.clone())
        );
        println!(
            "| checkout p50 / p99 ms, 409 out_of_stock | {} |",
            p50_p99(&mut self.rejected_us.clone())
        );
        println!(
            "| buyers' orders with the product | {} |",
            statuses.join(", ")
        );
        println!(
            "| units on paid + pending orders | {} |",
            self.found.units_ordered
        );
        println!(
            "| final available (expected) | {} ({expected}) |",
            self.found.final_available
        );
        println!(
            "| **oversold units** | **{}** |",
            oversold(stock, self.found.units_ordered)
        );
        self.errors.print("phase 1 errors by kind");
    }

    /// What went wrong, if units were oversold or the stock does not add up (see
    /// [`fault`]).
    pub fn fault(&self) -> Option<String> {
        fault(self.stock, self.paid, &self.found)
    }

    /// Fails, loudly, when units were oversold or the stock does not add up.
    pub fn check(&self) -> anyhow::Result<()> {
        match self.fault() {
            Some(message) => Err(fail(message)),
            None => Ok(()),
        }
    }
}
