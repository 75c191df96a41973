//! `souk-bench`: HTTP load benchmark of the catalog read paths, printed as a Markdown table;
//! `souk-bench --flash-sale` benchmarks checkout instead (see `flash`), and
//! `souk-bench --websocket` live fan-out to many connections (see `ws`). A client of
//! souk over HTTP and WebSocket only; the `souk` binary never links it.

mod assistant;
pub mod buyer;
pub mod checkout_client;
mod discover;
pub mod flash;
pub mod flash_contended;
mod flash_filled;
mod flash_paid;
mod flash_sustained;
pub mod flash_verify;
mod load;
mod open_files;
mod scenario;
mod server;
mod stats;
mod ws;
mod ws_conn;
mod ws_hold;
mod ws_holders;
mod ws_memory;
mod ws_report;
mod ws_setup;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, ensure};
use tokio::time::Instant;

use load::Window;
use scenario::{Paths, Scenario};
use server::Server;
use stats::{Percentiles, TaskStats};

/// Load before each scenario's measurement starts.
const WARM_UP: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, clap::Parser)]
#[command(
    name = "souk-bench",
    version,
    about = "Load-test a souk server over HTTP and WebSocket and print a results table"
)]
pub struct BenchArgs {
    /// Concurrent connections.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Seconds per scenario (after a 2 s warm-up).
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Benchmark an already running server instead of starting one (e.g. http://127.0.0.1:8080).
    #[arg(long)]
    pub target: Option<String>,
    /// The `souk` executable to start as `souk serve --demo` when there is no --target
    /// (default: `souk` in the directory of this `souk-bench`, e.g. target/release/).
    #[arg(long, value_name = "PATH", conflicts_with = "target")]
    pub souk: Option<PathBuf>,
    /// Benchmark checkout instead of the catalog reads: a contended flash sale checked for
    /// overselling, sustained cart → checkout → pay cycles, and rounds of checkout → pay
    /// by buyers whose carts were filled beforehand.
    #[arg(long)]
    pub flash_sale: bool,
    /// With --flash-sale: run only the cart → checkout → pay loop (phase 2), skipping
    /// the contended sale with its oversell check and the filled-cart rounds, and
    /// register only `--concurrency` buyers (for comparing throughput between
    /// builds; the full run is the reference).
    #[arg(long, requires = "flash_sale")]
    pub sustained_only: bool,
    /// With --flash-sale: run only the rounds of buyers whose carts were filled
    /// beforehand (phase 3), skipping the contended sale and the cart → checkout → pay
    /// loop. Registers the full 2,000 buyers.
    #[arg(long, requires = "flash_sale", conflicts_with = "sustained_only")]
    pub filled_only: bool,
    /// Benchmark live WebSocket fan-out instead: hold `--connections` connections, each
    /// following its own order, and pay orders at `--rate` a second for `--duration` s.
    #[arg(long, conflicts_with = "flash_sale")]
    pub websocket: bool,
    /// WebSocket connections to hold (with --websocket).
    #[arg(long, default_value_t = 10_000)]
    pub connections: usize,
    /// Order payments a second while the connections are held (with --websocket).
    #[arg(long, default_value_t = 100)]
    pub rate: u64,
    /// WebSocket connections per loopback source address (127.0.0.2, .3, …): Linux
    /// hands out about 28,000 ephemeral ports per source address.
    #[arg(long, default_value_t = 20_000)]
    pub connections_per_address: usize,
    /// WebSocket connections per holder process (with --websocket): each holds its
    /// connections' descriptors, and one process may often open about 20,000 files.
    #[arg(long, default_value_t = 19_000)]
    pub per_process: usize,
    /// Percentage of the WebSocket connections that are admins following `admin:live`
    /// and stop reading when the payments start (with --websocket).
    #[arg(long, default_value_t = 0.0)]
    pub not_reading: f64,
    /// Seconds between readings of the servers' memory while paying (with
    /// --websocket); each runs `ss` over every socket, a moment of CPU that
    /// shows in the fan-out latency at scale. 0: none while paying.
    #[arg(long, default_value_t = 5)]
    pub sample_every: u64,
    /// Process ids of the --target servers, for their memory (with --websocket).
    #[arg(long, value_delimiter = ',', requires = "target")]
    pub server_pid: Vec<u32>,
    /// Internal: hold a share of --websocket's connections (see `ws_hold`).
    #[arg(long, hide = true)]
    pub websocket_hold: bool,
    /// Internal: the first loopback source address of a holder (0 is 127.0.0.1).
    #[arg(long, hide = true, default_value_t = 1)]
    pub source_first: usize,
    /// Benchmark the shopping assistant instead: `GET /search` and `POST
    /// /assistant/chat` over the labelled evaluation queries.
    #[arg(long, conflicts_with_all = ["flash_sale", "websocket"])]
    pub assistant: bool,
}

/// Runs every scenario against `--target` or a freshly started demo server.
pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    ensure!(args.concurrency >= 1, "--concurrency must be at least 1");
    ensure!(args.duration >= 1, "--duration must be at least 1 second");
    if args.flash_sale {
        return flash::run(&args).await;
    }
    if args.websocket_hold {
        return ws_hold::run(&args).await;
    }
    if args.websocket {
        return ws::run(&args).await;
    }
    if args.assistant {
        return match &args.target {
            Some(target) => {
                let authority =
                    authority_of(target).with_context(|| format!("invalid --target {target:?}"))?;
                assistant::bench(&args, &authority).await
            }
            None => {
                eprintln!("starting souk serve --demo (seeds and embeds the demo catalog first)…");
                let server = Server::start(args.souk.as_deref())
                    .await
                    .context("cannot start the demo server")?;
                let result = assistant::bench(&args, server.authority()).await;
                let stopped = server.stop().await;
                result.and(stopped)
            }
        };
    }
    match &args.target {
        Some(target) => {
            let authority =
                authority_of(target).with_context(|| format!("invalid --target {target:?}"))?;
            bench(&args, &authority, None).await
        }
        None => {
            eprintln!("starting souk serve --demo (this seeds the demo catalog first)…");
            let server = Server::start(args.souk.as_deref())
                .await
                .context("cannot start the demo server")?;
            let result = bench(&args, server.authority(), Some(&server)).await;
            let stopped = server.stop().await;
            result.and(stopped)
        }
    }
}

/// One scenario's results.
struct Row {
    scenario: Scenario,
    requests_per_sec: f64,
    latency: Option<Percentiles>,
    errors: u64,
    rss_mib: Option<f64>,
}

async fn bench(args: &BenchArgs, authority: &str, server: Option<&Server>) -> anyhow::Result<()> {
    let authority: Arc<str> = Arc::from(authority);
    let paths = Arc::new(
        discover::discover(&authority)
            .await
            .context("cannot discover products and categories")?,
    );
    eprintln!(
        "benchmarking http://{authority}: {} product ids, {} search queries",
        paths.by_id.len(),
        paths.searches.len()
    );

    let mut rows = Vec::new();
    for scenario in Scenario::ALL {
        eprintln!(
            "running {} ({} s warm-up + {} s)…",
            scenario.name(),
            WARM_UP.as_secs(),
            args.duration
        );
        let (measured, stats) = run_scenario(scenario, args, &authority, &paths).await?;
        if let Some(error) = &stats.first_error {
            eprintln!("  {} errors, first: {error}", stats.errors);
        }
        let rss_mib = match server {
            Some(server) => Some(
                server
                    .rss_mib()
                    .context("cannot read the server's memory use")?,
            ),
            None => None,
        };
        let mut latencies = stats.latencies_us;
        rows.push(Row {
            scenario,
            requests_per_sec: latencies.len() as f64 / measured.as_secs_f64(),
            latency: Percentiles::from_samples(&mut latencies),
            errors: stats.errors,
            rss_mib,
        });
    }
    print_report(args, &authority, server.is_some(), &rows);
    Ok(())
}

/// Runs `concurrency` load tasks through the warm-up and the measurement window and
/// merges what they measured. Returns the length of the window too.
async fn run_scenario(
    scenario: Scenario,
    args: &BenchArgs,
    authority: &Arc<str>,
    paths: &Arc<Paths>,
) -> anyhow::Result<(Duration, TaskStats)> {
    let measured = Duration::from_secs(args.duration);
    let measure_from = Instant::now() + WARM_UP;
    let window = Window {
        measure_from,
        until: measure_from + measured,
    };
    let tasks: Vec<_> = (0..args.concurrency)
        .map(|task| {
            let (authority, paths) = (authority.clone(), paths.clone());
            tokio::spawn(load::run_task(
                scenario,
                task,
                args.concurrency,
                authority,
                paths,
                window,
            ))
        })
        .collect();
    let mut total = TaskStats::default();
    for task in tasks {
        total.merge(task.await.context("a load task failed")?);
    }
    Ok((measured, total))
}

/// `host:port` of an `http://host:port` URL (the port defaults to 80).
fn authority_of(url: &str) -> anyhow::Result<String> {
    let uri: hyper::Uri = url.trim().parse().context("not a URL")?;
    ensure!(
        uri.scheme_str() == Some("http"),
        "only http:// URLs are supported"
    );
    ensure!(
        matches!(uri.path(), "" | "/") && uri.query().is_none(),
        "the URL must not have a path"
    );
    let host = uri.host().context("the URL has no host")?;
    Ok(format!("{host}:{}", uri.port_u16().unwrap_or(80)))
}

fn print_report(args: &BenchArgs, authority: &str, spawned: bool, rows: &[Row]) {
    let nproc = std::thread::available_parallelism()
        .map_or_else(|_| "unknown".to_owned(), |n| n.to_string());
    let server = if spawned {
        "souk serve --demo, started by the bench"
    } else {
        "--target"
    };
    println!();
    println!(
        "nproc: {nproc} · concurrency: {} · duration: {} s per scenario (after {} s warm-up) · server: http://{authority} ({server})",
        args.concurrency,
        args.duration,
        WARM_UP.as_secs()
    );
    println!();
    println!("| scenario | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | server RSS MiB |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        let ms = |pick: fn(&Percentiles) -> f64| {
            row.latency
                .as_ref()
                .map_or("n/a".to_owned(), |p| format!("{:.2}", pick(p)))
        };
        let rss = row
            .rss_mib
            .map_or("n/a".to_owned(), |mib| format!("{mib:.1}"));
        println!(
            "| {} | {:.0} | {} | {} | {} | {} | {} | {rss} |",
            row.scenario.name(),
            row.requests_per_sec,
            ms(|p| p.p50),
            ms(|p| p.p90),
            ms(|p| p.p99),
            ms(|p| p.max),
            row.errors,
        );
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn authority_of_accepts_host_and_port() {
        assert_eq!(
            authority_of("http://127.0.0.1:8080").unwrap(),
            "127.0.0.1:8080"
        );
        assert_eq!(authority_of("http://localhost/").unwrap(), "localhost:80");
        assert!(authority_of("https://127.0.0.1:8080").is_err());
        assert!(authority_of("http://127.0.0.1:8080/api").is_err());
        assert!(authority_of("127.0.0.1:8080").is_err());
    }
}
