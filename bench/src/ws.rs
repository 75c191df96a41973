//! `souk-bench --websocket`: holds N authenticated WebSocket connections, each
//! following its own order and its buyer's `user:me`, drives payments at a
//! steady rate and measures how long each event takes to reach its clients.
//!
//! The connections are held by child processes (`ws_hold`), at most
//! `--per-process` each, so the bench is not bound by one process's open
//! files; given several `--target` nodes of a cluster, each holder connects
//! to one of them while the payments go through all of them in turn. With
//! `--not-reading P`, P % of the connections are admins following
//! `admin:live` (every order transition) who stop reading when the payments
//! start, so their receive windows stay small as a distant client's would:
//! the bench then reports what they cost the servers.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

use super::checkout_client::Api;
use super::server::Server;
use super::ws_hold::Conn;
use super::ws_holders::Holder;
use super::ws_memory::{Probe, Sample};
use super::ws_report::{Memory, Report};
use super::ws_setup::{self, Follower};
use super::{BenchArgs, flash};

/// Connections per buyer: buyers are registered with argon2, so fewer of them
/// keeps set-up short; each still follows orders of its own.
const PER_BUYER: usize = 100;
/// Time for the last events to arrive after the last payment.
const GRACE: Duration = Duration::from_secs(3);
/// The demo admin, whose connections are the ones that stop reading.
const ADMIN_EMAIL: &str = "admin@example.com";

/// Runs the benchmark against `--target` or a demo server it starts.
pub async fn run(args: &BenchArgs) -> anyhow::Result<()> {
    let n = args.connections;
    ensure!(n >= 1, "--connections must be at least 1");
    ensure!(args.rate >= 1, "--rate must be at least 1");
    ensure!(args.per_process >= 1, "--per-process must be at least 1");
    ensure!(
        (0.0..100.0).contains(&args.not_reading),
        "--not-reading is a percentage below 100"
    );
    ensure!(
        args.connections_per_address >= 1,
        "--connections-per-address must be at least 1"
    );
    match &args.target {
        Some(target) => {
            let targets = target
                .split(',')
                .map(|url| {
                    super::authority_of(url).with_context(|| format!("invalid --target {url:?}"))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let pids = args.server_pid.clone();
            bench(args, targets, pids).await
        }
        None => {
            // Each buyer's connections, or the admin's that stop reading.
            let muted = muted(args);
            let max_per_user = (PER_BUYER.max(muted) + 16).min(10_000).to_string();
            let max_total = (n + 1024).to_string();
            let env = [
                ("SOUK__CHECKOUT__WAIT_MS", "10000"),
                ("SOUK__CHECKOUT__MAX_IN_FLIGHT", "256"),
                ("SOUK__CHECKOUT__PAYMENT_WINDOW_SECS", "86400"),
                ("SOUK__AUTH__ACCESS_TTL_SECS", "86400"),
                ("SOUK__WEBSOCKET__MAX_CONNECTIONS", max_total.as_str()),
                (
                    "SOUK__WEBSOCKET__MAX_CONNECTIONS_PER_USER",
                    max_per_user.as_str(),
                ),
            ];
            eprintln!("starting souk serve --demo (this seeds the demo catalog first)…");
            let server = Server::start_with(args.souk.as_deref(), &env).await?;
            let pids = server.pid().into_iter().collect();
            let result = bench(args, vec![server.authority().to_owned()], pids).await;
            let stopped = server.stop().await;
            result.and(stopped)
        }
    }
}

async fn bench(args: &BenchArgs, targets: Vec<String>, servers: Vec<u32>) -> anyhow::Result<()> {
    let n = args.connections;
    let muted = muted(args);
    let reading = n - muted;
    ensure!(reading >= 1, "no connection would read");
    let authority: Arc<str> = Arc::from(targets.join(","));
    let (followers, admin) = set_up(args, &authority, reading, muted).await?;
    let conns = plan(&followers, &admin, n, muted);
    let holders_count = n.div_ceil(args.per_process).max(targets.len());
    let ports = targets
        .iter()
        .filter_map(|t| t.rsplit(':').next()?.parse().ok())
        .collect();
    let mut probe = Probe {
        servers,
        holders: Vec::new(),
        ports,
    };
    let before = probe.sample()?;
    eprintln!("opening {n} connections from {holders_count} holder processes…");
    let started = Instant::now();
    let mut holders = start_holders(args, &targets, &conns, holders_count).await?;
    probe.holders = holders.iter().filter_map(Holder::pid).collect();
    let mut report = Report::new(n, reading, muted, holders_count);
    for holder in &mut holders {
        let opened = holder.opened().await?;
        report.opened(&holder.target, opened);
    }
    report.connect_secs = started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let held = probe.sample()?;
    eprintln!(
        "  {} open, {} failed in {:.1} s",
        report.ok, report.failed, report.connect_secs
    );

    let (stop_sampling, sampling) = watch::channel(false);
    let every = Duration::from_secs(args.sample_every);
    let sampler = tokio::spawn(sample_peak(
        probe.clone(),
        before,
        report.ok,
        every,
        sampling,
    ));
    let transitions = (args.rate * args.duration).min(reading as u64) as usize;
    report.payments = transitions;
    eprintln!("paying {transitions} orders at {} a second…", args.rate);
    if muted > 0 {
        for holder in &mut holders {
            holder.mute().await?;
        }
    }
    let pay_errors = pay_at_rate(&authority, &followers, transitions, args).await;
    report.pay_errors = pay_errors;
    tokio::time::sleep(GRACE).await;
    let end = probe.sample()?;
    let _ = stop_sampling.send(true);
    let peak = sampler.await.context("the memory sampler failed")??;

    for target in &targets {
        report.node_metrics(target).await;
    }
    for holder in holders {
        report.add(holder.finish().await?);
    }
    let memory = Memory {
        before,
        held,
        peak,
        end,
    };
    report.print(args, targets.len(), &memory);
    if report.ok < n {
        bail!("only {} of {n} connections opened", report.ok);
    }
    Ok(())
}

/// How many of the connections stop reading (`--not-reading` per cent).
fn muted(args: &BenchArgs) -> usize {
    (args.connections as f64 * args.not_reading / 100.0).round() as usize
}

/// Registers the buyers and places one order for each reading connection,
/// through the nodes in turn (not measured); returns them with the admin's
/// token when some connections will stop reading.
async fn set_up(
    args: &BenchArgs,
    authority: &Arc<str>,
    reading: usize,
    muted: usize,
) -> anyhow::Result<(Vec<Follower>, Arc<str>)> {
    let mut api = Api::new(authority.clone());
    let seller = api
        .login(flash::SELLER_EMAIL, flash::SELLER_PASSWORD)
        .await?;
    let products = flash::seller_products(&mut api, &seller).await?;
    let product = products
        .first()
        .context("the demo seller has no products")?;
    api.set_stock(&seller, product, 2 * reading as u64).await?;
    // Every demo account has the same password.
    let admin: Arc<str> = match muted {
        0 => Arc::from(""),
        _ => Arc::from(api.login(ADMIN_EMAIL, flash::SELLER_PASSWORD).await?),
    };
    let buyers = reading.div_ceil(PER_BUYER);
    eprintln!("registering {buyers} buyers and placing {reading} orders (not measured)…");
    let started = Instant::now();
    let tokens = flash::tokens(&flash::register_buyers(authority, buyers, product).await?);
    let followers =
        ws_setup::place_orders(authority, tokens, product, reading, args.concurrency).await?;
    eprintln!("  done in {:.1} s", started.elapsed().as_secs_f64());
    Ok((followers, admin))
}

/// Every connection: the followers (their order and `user:me`), with the
/// `muted` admins following `admin:live` spread evenly among them.
fn plan(followers: &[Follower], admin: &Arc<str>, n: usize, muted: usize) -> Vec<Conn> {
    let mut reading = followers.iter();
    (0..n)
        .filter_map(|i| {
            // Exactly `muted` of the n steps cross a multiple of n.
            let mutes = (i + 1) * muted / n != i * muted / n;
            match mutes {
                true => Some(Conn {
                    token: admin.clone(),
                    topics: vec!["admin:live".to_owned()],
                    reads: false,
                }),
                false => reading.next().map(|f| Conn {
                    token: f.token.clone(),
                    topics: vec![format!("order:{}", f.order), "user:me".to_owned()],
                    reads: true,
                }),
            }
        })
        .collect()
}

/// Starts `count` holders, each with a contiguous share of `conns` (so the
/// muted ones spread over them), holder h connecting to target h mod T from
/// loopback addresses of its own (127.0.0.1 stays for everything else).
async fn start_holders(
    args: &BenchArgs,
    targets: &[String],
    conns: &[Conn],
    count: usize,
) -> anyhow::Result<Vec<Holder>> {
    let per_address = args.connections_per_address;
    let addresses = conns.len().div_ceil(count).div_ceil(per_address);
    let mut holders = Vec::with_capacity(count);
    for h in 0..count {
        let share = &conns[h * conns.len() / count..(h + 1) * conns.len() / count];
        let target = &targets[h % targets.len()];
        holders.push(Holder::start(target, 1 + h * addresses, per_address, share).await?);
    }
    Ok(holders)
}

/// Reads memory `every` so often until `stop` (never, given zero), and
/// returns the reading where the servers held the most per connection.
async fn sample_peak(
    probe: Probe,
    base: Sample,
    connections: usize,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<Option<Sample>> {
    let mut peak: Option<(f64, Sample)> = None;
    while !every.is_zero() {
        let probe = probe.clone();
        let sample = tokio::task::spawn_blocking(move || probe.sample()).await??;
        let size = sample
            .per_connection_kib(&base, connections)
            .unwrap_or(sample.socket_buffers as f64);
        if peak.as_ref().is_none_or(|(most, _)| size > *most) {
            peak = Some((size, sample));
        }
        tokio::select! {
            _ = stop.wait_for(|s| *s) => break,
            () = tokio::time::sleep(every) => {}
        }
    }
    Ok(peak.map(|(_, sample)| sample))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn followers(n: usize) -> Vec<Follower> {
        (0..n)
            .map(|i| Follower {
                token: Arc::from(format!("t{i}")),
                order: i.to_string(),
            })
            .collect()
    }

    #[test]
    fn the_muted_share_spreads_evenly() {
        let admin = Arc::from("admin");
        let conns = plan(&followers(990), &admin, 1000, 10);
        assert_eq!(conns.len(), 1000);
        let muted: Vec<usize> = (0..1000).filter(|&i| !conns[i].reads).collect();
        assert_eq!(muted.len(), 10);
        // One in each hundred: every contiguous share of a hundred has one.
        for (k, i) in muted.iter().enumerate() {
            assert_eq!(i / 100, k);
        }
        assert!(conns[0].reads && conns[0].topics[0] == "order:0");
    }

    #[test]
    fn without_a_muted_share_every_connection_follows_its_order() {
        let conns = plan(&followers(5), &Arc::from(""), 5, 0);
        assert!(conns.iter().all(|c| c.reads && c.topics[1] == "user:me"));
    }
}
