//! The rate limiter under 1,000,000 distinct clients: its memory stays at the
//! size fixed at start and a check's p99 stays flat as clients keep coming.
//!
//!     cargo bench -p souk-gateway --bench rate_limit

use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

use souk_gateway::config::LimitConfig;
use souk_gateway::middleware::rate_limit::{Decision, Table};

const CLIENTS: u32 = 1_000_000;
const WINDOW: u32 = 100_000;
/// The default `rate_limit.max_clients`.
const CAPACITY: usize = 262_144;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    sorted[((sorted.len() - 1) as f64 * p) as usize]
}

fn main() {
    // The default auth limit: 10 at once, then one every 5 s.
    let limit = LimitConfig {
        per_second: 0.2,
        burst: 10,
    };
    let before = rss_kib();
    let table = Table::new(&limit, CAPACITY, "bench");
    println!(
        "table: {} clients, {} KiB fixed; RSS before {} KiB, after allocation {} KiB",
        CAPACITY,
        table.memory_bytes() / 1024,
        before,
        rss_kib()
    );
    println!("| clients seen | p50 ns | p99 ns | max ns | RSS KiB |");
    println!("|---:|---:|---:|---:|---:|");
    let mut allowed = 0u64;
    let mut timings = Vec::with_capacity(WINDOW as usize);
    for client in 0..CLIENTS {
        let ip = IpAddr::V4(Ipv4Addr::from(0x0B00_0000 + client));
        let start = Instant::now();
        let decision = table.check(ip, start);
        timings.push(start.elapsed().as_nanos() as u64);
        allowed += u64::from(matches!(decision, Decision::Allowed { .. }));
        if (client + 1) % WINDOW == 0 {
            timings.sort_unstable();
            println!(
                "| {} | {} | {} | {} | {} |",
                client + 1,
                percentile(&timings, 0.5),
                percentile(&timings, 0.99),
                timings.last().copied().unwrap_or(0),
                rss_kib()
            );
            timings.clear();
        }
    }
    println!("allowed {allowed} of {CLIENTS} first requests");
}
