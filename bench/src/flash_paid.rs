//! What the flash-sale bench's throughput phases share: one buyer's checkout and payment,
//! and the tally of paid checkouts a phase measured, printed as one table row.

use std::time::Duration;

use hyper::StatusCode;
use tokio::time::Instant;

use super::checkout_client::{Api, Created, Tally};
use super::flash::p50_p99;

/// Why a buyer's turn did not end in a paid order: the key it is counted under, and detail.
pub struct Failed(pub String, pub String);

impl Failed {
    pub fn is_transport(&self) -> bool {
        self.0.ends_with("transport error")
    }

    /// The server refused the buyer's access token (it expired).
    pub fn is_unauthorized(&self) -> bool {
        self.0.split(' ').nth(1) == Some("401")
    }
}

/// A transport error of the step `what`, as a failure.
pub fn transport(what: &str) -> impl FnOnce(anyhow::Error) -> Failed {
    let what = what.to_owned();
    move |e| Failed(format!("{what} transport error"), format!("{e:#}"))
}

/// Adds one unit of `product` to the buyer's cart.
pub async fn add_one(api: &mut Api, token: &str, product: &str) -> Result<(), Failed> {
    let added = api
        .add_one(token, product)
        .await
        .map_err(transport("cart"))?;
    if added.status != StatusCode::OK {
        return Err(Failed(added.kind("cart"), added.snippet()));
    }
    Ok(())
}

/// Checks out the buyer's cart and pays the order. Returns the checkout's latency.
pub async fn checkout_and_pay(api: &mut Api, token: &str) -> Result<Duration, Failed> {
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

/// Paid checkouts a phase measured, their latencies, and the server CPU they took.
#[derive(Default)]
pub struct Paid {
    pub measured: Duration,
    pub completed: u64,
    /// Server CPU seconds spent while measuring, when its metrics say.
    pub server_cpu: Option<f64>,
    pub checkout_us: Vec<u32>,
    /// From the buyer's first request of a turn to the payment's answer.
    pub turn_us: Vec<u32>,
    pub errors: Tally,
}

impl Paid {
    /// Counts one paid checkout.
    pub fn record(&mut self, checkout: Duration, turn: Duration) {
        self.completed += 1;
        self.checkout_us.push(micros(checkout));
        self.turn_us.push(micros(turn));
    }

    /// Folds in what another buyer or round measured (not its time or CPU).
    pub fn merge(&mut self, other: Paid) {
        self.completed += other.completed;
        self.checkout_us.extend(other.checkout_us);
        self.turn_us.extend(other.turn_us);
        self.errors.merge(other.errors);
    }

    /// Prints `heading` and one table row; `turn` names what a turn is.
    pub fn print(&self, heading: &str, turn: &str, rss_mib: Option<f64>) {
        let per_sec = self.completed as f64 / self.measured.as_secs_f64();
        let rss = rss_mib.map_or("n/a".to_owned(), |mib| format!("{mib:.1}"));
        let cpu = match self.server_cpu {
            Some(seconds) if self.completed > 0 => {
                format!("{:.3}", seconds * 1000.0 / self.completed as f64)
            }
            _ => "n/a".to_owned(),
        };
        println!();
        println!("{heading}");
        println!();
        println!(
            "| completed (paid) checkouts | checkouts/s | checkout p50 / p99 ms | {turn} p50 / p99 ms | errors | server CPU ms per checkout | server RSS MiB |"
        );
        println!("|---:|---:|---:|---:|---:|---:|---:|");
        println!(
            "| {} | {per_sec:.1} | {} | {} | {} | {cpu} | {rss} |",
            self.completed,
            p50_p99(&mut self.checkout_us.clone()),
            p50_p99(&mut self.turn_us.clone()),
            self.errors.total()
        );
    }
}

fn micros(d: Duration) -> u32 {
    u32::try_from(d.as_micros()).unwrap_or(u32::MAX)
}
