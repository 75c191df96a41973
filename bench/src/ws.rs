//! `souk-bench --websocket`: holds N authenticated WebSocket connections, each
//! following its own order and its buyer's `user:me`, drives payments at a
//! steady rate and measures how long each event takes to reach its clients.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinSet;

use super::checkout_client::Api;
use super::server::{Server, rss_mib_of};
use super::ws_conn::{self, Held};
use super::ws_setup::{self, Follower};
use super::{BenchArgs, flash, open_files};

/// Connections per buyer: buyers are registered with argon2, so fewer of them
/// keeps set-up short; each still follows orders of its own.
const PER_BUYER: usize = 100;
/// Handshakes in flight at once.
const CONNECTING: usize = 512;
/// Time for the last events to arrive after the last payment.
const GRACE: Duration = Duration::from_secs(3);

/// Runs the benchmark against `--target` or a demo server it starts.
pub async fn run(args: &BenchArgs) -> anyhow::Result<()> {
    let n = args.connections;
    ensure!(n >= 1, "--connections must be at least 1");
    ensure!(args.rate >= 1, "--rate must be at least 1");
    ensure!(
        args.connections_per_address >= 1,
        "--connections-per-address must be at least 1"
    );
    // One descriptor per connection, plus the HTTP clients and some slack.
    let needed = n as u64 + 256;
    let open_files = open_files::raise(n as u64 + 4096);
    ensure!(
        open_files >= needed,
        "the open-file limit is {open_files}, {n} connections need {needed}: raise the hard limit (`ulimit -Hn`, or run as root)"
    );
    let buyers = n.div_ceil(PER_BUYER);
    let max_total = (n + 1024).to_string();
    let max_per_user = (n.div_ceil(buyers) + 16).to_string();
    let env = [
        ("SOUK__CHECKOUT__WAIT_MS", "10000"),
        ("SOUK__CHECKOUT__MAX_IN_FLIGHT", "256"),
        ("SOUK__CHECKOUT__PAYMENT_WINDOW_SECS", "86400"),
        ("SOUK__WEBSOCKET__MAX_CONNECTIONS", max_total.as_str()),
        (
            "SOUK__WEBSOCKET__MAX_CONNECTIONS_PER_USER",
            max_per_user.as_str(),
        ),
    ];
    match &args.target {
        Some(target) => {
            let authority = super::authority_of(target)?;
            bench(args, Arc::from(authority), None, buyers).await
        }
        None => {
            eprintln!("starting souk serve --demo (this seeds the demo catalog first)…");
            let server = Server::start_with(args.souk.as_deref(), &env).await?;
            let authority = Arc::from(server.authority());
            let result = bench(args, authority, Some(&server), buyers).await;
            let stopped = server.stop().await;
            result.and(stopped)
        }
    }
}

async fn bench(
    args: &BenchArgs,
    authority: Arc<str>,
    server: Option<&Server>,
    buyers: usize,
) -> anyhow::Result<()> {
    let n = args.connections;
    let address: SocketAddr = authority.parse().context("the server address")?;
    let mut api = Api::new(authority.clone());
    let seller = api
        .login(flash::SELLER_EMAIL, flash::SELLER_PASSWORD)
        .await?;
    let products = flash::seller_products(&mut api, &seller).await?;
    let product = products
        .first()
        .context("the demo seller has no products")?;
    api.set_stock(&seller, product, 2 * n as u64).await?;

    eprintln!("registering {buyers} buyers and placing {n} orders (not measured)…");
    let started = Instant::now();
    let tokens = flash::tokens(&flash::register_buyers(&authority, buyers, product).await?);
    let followers =
        ws_setup::place_orders(&authority, tokens, product, n, args.concurrency).await?;
    eprintln!("  done in {:.1} s", started.elapsed().as_secs_f64());

    let server_rss = || server.and_then(|s| s.rss_mib().ok());
    let (server_before, bench_before) = (server_rss(), rss_mib_of("/proc/self/status").ok());
    eprintln!("opening {n} connections…");
    let (stop, stopped) = watch::channel(false);
    let started = Instant::now();
    let per_address = args.connections_per_address;
    let (mut tasks, opened) = connect_all(address, &followers, per_address, stopped).await;
    let connect_secs = started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (server_after, bench_after) = (server_rss(), rss_mib_of("/proc/self/status").ok());
    eprintln!(
        "  {} open, {} failed in {connect_secs:.1} s",
        opened.ok, opened.failed
    );

    let transitions = (args.rate * args.duration).min(n as u64) as usize;
    eprintln!("paying {transitions} orders at {} a second…", args.rate);
    let pay_errors = pay_at_rate(&authority, &followers, transitions, args).await;
    tokio::time::sleep(GRACE).await;

    let _ = stop.send(true);
    let mut report = Report::default();
    while let Some(done) = tasks.join_next().await {
        report.add(done.unwrap_or_default());
    }
    let per = |after: Option<f64>, before: Option<f64>| match (after, before) {
        (Some(a), Some(b)) if opened.ok > 0 => {
            format!("{:.1}", (a - b) * 1024.0 / opened.ok as f64)
        }
        _ => "n/a".into(),
    };
    let mib = |v: Option<f64>| v.map_or("n/a".into(), |v| format!("{v:.0}"));
    let mut latencies = std::mem::take(&mut report.latencies_us);
    println!();
    println!(
        "nproc: {} · connections: {n} from {} loopback addresses · buyers: {buyers} · payments: {transitions} at {}/s · open-file limit raised for bench and server",
        std::thread::available_parallelism().map_or(0, usize::from),
        (n - 1) / args.connections_per_address.max(1) + 1,
        args.rate
    );
    println!();
    println!(
        "| connections asked | opened | held to the end | connect s | server RSS MiB before → after | server KiB / connection | bench KiB / connection | events received | fan-out p50 / p99 ms | max ms | payment errors |"
    );
    println!("|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|");
    let max = super::stats::Percentiles::from_samples(&mut latencies)
        .map_or("n/a".into(), |p| format!("{:.1}", p.max));
    println!(
        "| {n} | {} | {} | {connect_secs:.1} | {} → {} | {} | {} | {} | {} | {max} | {pay_errors} |",
        opened.ok,
        opened.ok - report.lost,
        mib(server_before),
        mib(server_after),
        per(server_after, server_before),
        per(bench_after, bench_before),
        latencies.len(),
        flash::p50_p99(&mut latencies),
    );
    if let Some(first) = &opened.first_error {
        println!("\nfirst connection failure: {first}");
    }
    if let Some(first) = &report.first_lost {
        println!("\n{} connections ended early, first: {first}", report.lost);
    }
    if opened.ok < n {
        bail!("only {} of {n} connections opened", opened.ok);
    }
    Ok(())
}

#[derive(Default)]
struct Opened {
    ok: usize,
    failed: usize,
    first_error: Option<String>,
}

/// Opens one connection per follower, `CONNECTING` handshakes at a time; each
/// then holds on in its own task until `stop`.
async fn connect_all(
    address: SocketAddr,
    followers: &[Follower],
    per_address: usize,
    stop: watch::Receiver<bool>,
) -> (JoinSet<Held>, Opened) {
    let gate = Arc::new(Semaphore::new(CONNECTING));
    let (report, mut reports) = mpsc::unbounded_channel();
    let mut tasks = JoinSet::new();
    for (i, follower) in followers.iter().enumerate() {
        let Ok(permit) = gate.clone().acquire_owned().await else {
            break;
        };
        let (follower, stop, report) = (follower.clone(), stop.clone(), report.clone());
        tasks.spawn(async move {
            let topics = [format!("order:{}", follower.order), "user:me".to_owned()];
            let source = ws_conn::source_of(i, per_address);
            let opened = ws_conn::open(address, source, &follower.token, &topics).await;
            drop(permit);
            match opened {
                Ok(ws) => {
                    let _ = report.send(Ok(()));
                    // The count of opened connections ends when every sender is gone.
                    drop(report);
                    ws_conn::hold(ws, stop).await
                }
                Err(e) => {
                    let _ = report.send(Err(format!("{e:#}")));
                    Held::default()
                }
            }
        });
    }
    drop(report);
    let mut opened = Opened::default();
    while let Some(result) = reports.recv().await {
        match result {
            Ok(()) => opened.ok += 1,
            Err(e) => {
                opened.failed += 1;
                opened.first_error.get_or_insert(e);
            }
        }
    }
    (tasks, opened)
}

/// Pays `count` orders spread over the connections, `rate` a second, each by
/// its buyer. Returns how many payments failed.
async fn pay_at_rate(
    authority: &Arc<str>,
    followers: &[Follower],
    count: usize,
    args: &BenchArgs,
) -> usize {
    let gate = Arc::new(Semaphore::new(args.concurrency.max(1)));
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / args.rate as f64));
    let mut payments = JoinSet::new();
    for k in 0..count {
        ticker.tick().await;
        let follower = followers[k * followers.len() / count.max(1)].clone();
        let Ok(permit) = gate.clone().acquire_owned().await else {
            break;
        };
        let mut api = Api::new(authority.clone());
        payments.spawn(async move {
            let paid = api.pay(&follower.token, &follower.order).await;
            drop(permit);
            paid.is_ok_and(|reply| reply.status.is_success())
        });
    }
    let mut errors = 0;
    while let Some(paid) = payments.join_next().await {
        errors += usize::from(!paid.unwrap_or(false));
    }
    errors
}

#[derive(Default)]
struct Report {
    latencies_us: Vec<u32>,
    lost: usize,
    first_lost: Option<String>,
}

impl Report {
    fn add(&mut self, held: Held) {
        self.latencies_us.extend(held.latencies_us);
        if let Some(why) = held.lost {
            self.lost += 1;
            self.first_lost.get_or_insert(why);
        }
    }
}
