//! The WebSocket benchmark's results, gathered from its holders and the
//! nodes, printed as Markdown tables.

use std::sync::Arc;

use super::checkout_client::Api;
use super::ws_hold::{Opened, Outcome};
use super::ws_memory::Sample;
use super::{BenchArgs, flash};

/// Memory at the bench's four points.
pub struct Memory {
    /// Before any connection.
    pub before: Sample,
    /// Every connection open and idle.
    pub held: Sample,
    /// The reading while paying where the servers held most per connection
    /// (none with `--sample-every 0`).
    pub peak: Option<Sample>,
    /// After the last payment's events.
    pub end: Sample,
}

/// One node's share and what its metrics say at the end.
struct Node {
    target: String,
    opened: usize,
    connections: Option<f64>,
    dropped_slow: Option<f64>,
    reset: Option<f64>,
}

#[derive(Default)]
pub struct Report {
    asked: usize,
    reading: usize,
    muted: usize,
    holders: usize,
    pub ok: usize,
    pub failed: usize,
    first_error: Option<String>,
    pub connect_secs: f64,
    pub payments: usize,
    pub pay_errors: usize,
    latencies_us: Vec<u32>,
    lost: usize,
    first_lost: Option<String>,
    nodes: Vec<Node>,
}

impl Report {
    pub fn new(asked: usize, reading: usize, muted: usize, holders: usize) -> Report {
        Report {
            asked,
            reading,
            muted,
            holders,
            ..Report::default()
        }
    }

    /// One holder's connections to `target` were tried.
    pub fn opened(&mut self, target: &str, opened: Opened) {
        self.ok += opened.ok;
        self.failed += opened.failed;
        if let Some(e) = opened.first_error {
            self.first_error.get_or_insert(e);
        }
        match self.nodes.iter_mut().find(|n| n.target == target) {
            Some(node) => node.opened += opened.ok,
            None => self.nodes.push(Node {
                target: target.to_owned(),
                opened: opened.ok,
                connections: None,
                dropped_slow: None,
                reset: None,
            }),
        }
    }

    /// One holder's outcome.
    pub fn add(&mut self, outcome: Outcome) {
        self.latencies_us.extend(outcome.latencies_us);
        self.lost += outcome.lost;
        if let Some(why) = outcome.first_lost {
            self.first_lost.get_or_insert(why);
        }
    }

    /// Reads `target`'s WebSocket metrics (with the bench's metrics token).
    pub async fn node_metrics(&mut self, target: &str) {
        let Some(node) = self.nodes.iter_mut().find(|n| n.target == target) else {
            return;
        };
        let mut api = Api::new(Arc::from(target));
        let names = [
            "souk_ws_connections",
            "souk_ws_clients_dropped_total{reason=\"slow\"}",
            "souk_ws_connections_reset_total",
        ];
        let mut values = [None; 3];
        for (value, name) in values.iter_mut().zip(names) {
            *value = api.metric(name).await.ok().flatten();
        }
        [node.connections, node.dropped_slow, node.reset] = values;
    }

    pub fn print(&mut self, args: &BenchArgs, nodes: usize, memory: &Memory) {
        println!();
        println!(
            "nproc: {} · nodes: {nodes} · connections: {} ({} following their order and user:me, {} admins following admin:live who stop reading when the payments start) · holder processes: {} · payments: {} at {}/s",
            std::thread::available_parallelism().map_or(0, usize::from),
            self.asked,
            self.reading,
            self.muted,
            self.holders,
            self.payments,
            args.rate,
        );
        println!();
        println!(
            "| connections asked | opened | reading, held to the end | connect s | events received | fan-out p50 / p99 ms | max ms | payment errors |"
        );
        println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
        let mut latencies = std::mem::take(&mut self.latencies_us);
        let max = super::stats::Percentiles::from_samples(&mut latencies)
            .map_or("n/a".into(), |p| format!("{:.1}", p.max));
        let reading_opened = self.ok.saturating_sub(self.muted);
        println!(
            "| {} | {} | {} | {:.1} | {} | {} | {max} | {} |",
            self.asked,
            self.ok,
            reading_opened.saturating_sub(self.lost),
            self.connect_secs,
            latencies.len(),
            flash::p50_p99(&mut latencies),
            self.pay_errors,
        );
        self.print_memory(memory);
        self.print_nodes();
        if let Some(first) = &self.first_error {
            println!("\nfirst connection failure: {first}");
        }
        if let Some(first) = &self.first_lost {
            println!(
                "\n{} reading connections ended early, first: {first}",
                self.lost
            );
        }
    }

    fn print_memory(&self, memory: &Memory) {
        println!();
        println!(
            "| when | server RSS MiB | server sockets | their kernel buffers MiB | slab growth MiB (both ends) | server KiB / connection (RSS + buffers + half the slab) | holders' RSS MiB |"
        );
        println!("|---|---:|---:|---:|---:|---:|---:|");
        let base = &memory.before;
        let mib = |bytes: f64| format!("{:.1}", bytes / 1_048_576.0);
        // The first row is the base the others are measured against.
        let rows = [
            ("before connecting", Some(base)),
            ("connections open, idle", Some(&memory.held)),
            ("most while paying", memory.peak.as_ref()),
            ("after the payments", Some(&memory.end)),
        ];
        for (i, (when, sample)) in rows.into_iter().enumerate() {
            let Some(sample) = sample else {
                println!("| {when} | not read (--sample-every 0) | | | | | |");
                continue;
            };
            let per = sample
                .per_connection_kib(base, self.ok)
                .filter(|_| i > 0)
                .map_or("—".into(), |kib| format!("{kib:.1}"));
            println!(
                "| {when} | {} | {} | {} | {} | {per} | {:.0} |",
                sample
                    .servers_rss_mib
                    .map_or("n/a".into(), |m| format!("{m:.0}")),
                sample.sockets,
                mib(sample.socket_buffers as f64),
                mib(sample.slab_kib.saturating_sub(base.slab_kib) as f64 * 1024.0),
                sample.holders_rss_mib,
            );
        }
    }

    fn print_nodes(&self) {
        println!();
        println!(
            "| node | connections opened | souk_ws_connections after the payments | dropped as too slow | reset |"
        );
        println!("|---|---:|---:|---:|---:|");
        let show = |v: Option<f64>| v.map_or("n/a".into(), |v| format!("{v:.0}"));
        for node in &self.nodes {
            println!(
                "| {} | {} | {} | {} | {} |",
                node.target,
                node.opened,
                show(node.connections),
                show(node.dropped_slow),
                show(node.reset),
            );
        }
    }
}
