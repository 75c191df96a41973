//! `souk-bench --flash-sale`: a contended sale of a few units to many buyers, checked for
//! overselling; sustained cart → checkout → pay cycles; then rounds of checkout → pay by
//! buyers whose carts were filled beforehand. Each phase is printed as a Markdown table.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail, ensure};
use hyper::StatusCode;
use serde::Deserialize;

use super::buyer::{BUYER_PASSWORD, Buyer};
use super::checkout_client::Api;
use super::server::Server;
use super::{BenchArgs, WARM_UP, flash_contended, flash_filled, flash_sustained};

/// Units put up for sale in the contended phase.
pub const SALE_STOCK: u64 = 500;
/// Buyers competing for them.
pub const SALE_BUYERS: usize = 2000;
/// Units of each product in the sustained phase: enough never to run out
/// (4 products of 1,000,000 came close: 3.5 million checkouts in 15 minutes
/// at 256).
pub const SUSTAINED_STOCK: u64 = 100_000_000;
/// Products the sustained phase spreads its carts over.
const SUSTAINED_PRODUCTS: usize = 4;
/// Registrations at once: each hashes a password with argon2id on the server.
const REGISTER_CONCURRENCY: usize = 8;
pub const SELLER_EMAIL: &str = "kestrel@example.com";
pub const SELLER_PASSWORD: &str = "souk-demo-password";
/// Checkouts wait long enough to answer 201 or 409 rather than 202 with a ticket.
const SERVER_ENV: [(&str, &str); 4] = [
    ("SOUK__RATE_LIMIT__ENABLED", "false"),
    // The bench's shoppers check out without opening a verification letter.
    ("SOUK__AUTH__UNVERIFIED_CHECKOUT", "true"),
    ("SOUK__CHECKOUT__WAIT_MS", "10000"),
    ("SOUK__CHECKOUT__MAX_IN_FLIGHT", "256"),
];

/// Runs both phases against `--target` or a demo server started for them.
pub async fn run(args: &BenchArgs) -> anyhow::Result<()> {
    match &args.target {
        Some(target) => {
            // Several comma-separated URLs: the nodes of a cluster, buyers
            // spread over them.
            let authorities: Vec<String> = target
                .split(',')
                .map(|url| {
                    super::authority_of(url).with_context(|| format!("invalid --target {url:?}"))
                })
                .collect::<anyhow::Result<_>>()?;
            bench(args, Arc::from(authorities.join(",")), None).await
        }
        None => {
            eprintln!("starting souk serve --demo (this seeds the demo catalog first)…");
            let mut server = Server::start_with(args.souk.as_deref(), &SERVER_ENV)
                .await
                .context("cannot start the demo server")?;
            let authority = Arc::from(server.authority());
            let result = bench(args, authority, Some(&mut server)).await;
            let stopped = server.stop().await;
            result.and(stopped)
        }
    }
}

async fn bench(
    args: &BenchArgs,
    authority: Arc<str>,
    mut server: Option<&mut Server>,
) -> anyhow::Result<()> {
    let mut api = Api::new(authority.clone());
    let seller = api
        .login(SELLER_EMAIL, SELLER_PASSWORD)
        .await
        .context("cannot log in as the demo seller")?;
    let products = seller_products(&mut api, &seller).await?;
    let Some((sale_product, sustained)) = products.split_first() else {
        bail!("the demo seller has no active products");
    };
    ensure!(
        sustained.len() >= SUSTAINED_PRODUCTS,
        "the demo seller has {} active products, the bench needs {}",
        products.len(),
        SUSTAINED_PRODUCTS + 1
    );
    let sustained: Vec<String> = sustained.iter().take(SUSTAINED_PRODUCTS).cloned().collect();
    api.set_stock(&seller, sale_product, SALE_STOCK)
        .await
        .context("cannot restock the flash-sale product")?;

    let buyers = if args.sustained_only {
        args.concurrency
    } else {
        SALE_BUYERS.max(args.concurrency)
    };
    eprintln!("registering {buyers} buyers and filling their carts (not measured)…");
    let started = Instant::now();
    let registered = register_buyers(&authority, buyers, sale_product).await?;
    eprintln!("  done in {:.1} s", started.elapsed().as_secs_f64());
    note_rss(server.as_deref());

    let sale = if args.sustained_only || args.filled_only {
        None
    } else {
        eprintln!("phase 1: {buyers} buyers check out {SALE_STOCK} units of one product…");
        let sale = flash_contended::run(
            &authority,
            &tokens(&registered),
            sale_product,
            SALE_STOCK,
            args.concurrency,
        )
        .await?;
        check_running(server.as_deref_mut())?;
        note_rss(server.as_deref());
        Some(sale)
    };

    for product in &sustained {
        api.set_stock(&seller, product, SUSTAINED_STOCK)
            .await
            .with_context(|| format!("cannot restock product {product}"))?;
    }
    let sustained = Arc::new(sustained);
    let measured = Duration::from_secs(args.duration);
    // A server that exits ends the run after the phase it exited in, whose table is
    // still printed.
    let mut exited = None;
    let looped = if args.filled_only {
        None
    } else {
        eprintln!(
            "phase 2: {} buyers loop cart → checkout → pay ({} s warm-up + {} s)…",
            args.concurrency,
            WARM_UP.as_secs(),
            args.duration
        );
        let looping = registered.iter().take(args.concurrency).cloned().collect();
        let looped = flash_sustained::run(&authority, looping, sustained.clone(), measured).await?;
        exited = check_running(server.as_deref_mut()).err();
        Some((
            looped,
            after_phase(&mut api, server.as_deref(), &exited).await?,
        ))
    };
    let filled = if args.sustained_only || exited.is_some() {
        None
    } else {
        eprintln!(
            "phase 3: rounds of {buyers} buyers with filled carts checking out and paying ({} s measured)…",
            args.duration
        );
        let filled = flash_filled::run(
            &authority,
            &registered,
            sustained,
            args.concurrency,
            measured,
        )
        .await?;
        exited = check_running(server.as_deref_mut()).err();
        Some((
            filled,
            after_phase(&mut api, server.as_deref(), &exited).await?,
        ))
    };

    print_context(args, &authority, server.is_some(), buyers);
    if let Some(sale) = &sale {
        sale.print();
    }
    if let Some((looped, rss)) = &looped {
        looped.print(*rss);
    }
    if let Some((filled, rss)) = &filled {
        filled.print(*rss);
    }
    if let Some(exited) = exited {
        return Err(exited);
    }
    sale.map_or(Ok(()), |sale| sale.check())?;
    filled.map_or(Ok(()), |(filled, _)| filled.check())
}

/// The server's memory use after a phase, unless it exited during it.
async fn after_phase(
    api: &mut Api,
    server: Option<&Server>,
    exited: &Option<anyhow::Error>,
) -> anyhow::Result<Option<f64>> {
    match exited {
        Some(_) => Ok(None),
        None => rss_mib(api, server).await,
    }
}

/// The server's resident memory: read directly when the bench started it, else from its
/// metrics when they are on the API listener.
async fn rss_mib(api: &mut Api, server: Option<&Server>) -> anyhow::Result<Option<f64>> {
    Ok(match server {
        Some(server) => Some(
            server
                .rss_mib()
                .context("cannot read the server's memory use")?,
        ),
        None => api
            .metric("process_resident_memory_bytes")
            .await
            .ok()
            .flatten()
            .map(|bytes| bytes / f64::from(1 << 20)),
    })
}

/// Shows the server's memory use between the phases.
fn note_rss(server: Option<&Server>) {
    if let Some(server) = server
        && let Ok(mib) = server.rss_mib()
    {
        eprintln!("  server RSS: {mib:.1} MiB");
    }
}

/// Fails when the server the bench started has exited.
fn check_running(server: Option<&mut Server>) -> anyhow::Result<()> {
    if let Some(server) = server
        && let Some(status) = server.exit_status()?
    {
        eprintln!("!!!!! the server exited during the benchmark ({status}) !!!!!");
        bail!("the server exited during the benchmark ({status})");
    }
    Ok(())
}

#[derive(Deserialize)]
struct ProductPage {
    items: Vec<ProductItem>,
}

#[derive(Deserialize)]
struct ProductItem {
    id: String,
    status: String,
}

/// Ids of the seller's first active products.
pub async fn seller_products(api: &mut Api, seller: &str) -> anyhow::Result<Vec<String>> {
    let path = format!("/seller/products?limit={}", SUSTAINED_PRODUCTS + 1);
    let reply = api.get(&path, Some(seller)).await?;
    let page: ProductPage = reply.json(StatusCode::OK, &format!("GET {path}"))?;
    Ok(page
        .items
        .into_iter()
        .filter(|p| p.status == "active")
        .map(|p| p.id)
        .collect())
}

/// Registers `count` buyers, a few at a time, and puts one unit of `product` in each
/// cart.
pub async fn register_buyers(
    authority: &Arc<str>,
    count: usize,
    product: &str,
) -> anyhow::Result<Vec<Arc<Buyer>>> {
    // Unique per run, so a --target server can be benchmarked more than once.
    let run = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    let next = Arc::new(AtomicUsize::new(0));
    let product: Arc<str> = Arc::from(product);
    let workers: Vec<_> = (0..REGISTER_CONCURRENCY.min(count))
        .map(|_| {
            let (next, product) = (next.clone(), product.clone());
            let mut api = Api::new(authority.clone());
            tokio::spawn(async move {
                let mut tokens = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= count {
                        break;
                    }
                    let email = format!("flash-{run}-{i}@example.com");
                    let token = api
                        .register(&email, BUYER_PASSWORD)
                        .await
                        .with_context(|| format!("cannot register buyer {email}"))?;
                    let reply = api.add_one(&token, &product).await?;
                    if reply.status != StatusCode::OK {
                        bail!(
                            "POST /cart/items for {email}: {}: {}",
                            reply.status,
                            reply.snippet()
                        );
                    }
                    tokens.push((i, Arc::new(Buyer::new(email, token))));
                }
                anyhow::Ok(tokens)
            })
        })
        .collect();
    let mut tokens = Vec::with_capacity(count);
    for worker in workers {
        tokens.extend(worker.await.context("a registration task failed")??);
    }
    tokens.sort_unstable_by_key(|(i, _)| *i);
    Ok(tokens.into_iter().map(|(_, buyer)| buyer).collect())
}

/// The buyers' current access tokens, in order.
pub fn tokens(buyers: &[Arc<Buyer>]) -> Vec<String> {
    buyers.iter().map(|b| b.token()).collect()
}

fn print_context(args: &BenchArgs, authority: &str, spawned: bool, buyers: usize) {
    let nproc = std::thread::available_parallelism()
        .map_or_else(|_| "unknown".to_owned(), |n| n.to_string());
    let server = if spawned {
        let env: Vec<String> = SERVER_ENV.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!(
            "souk serve --demo, started by the bench with {}",
            env.join(" ")
        )
    } else {
        "--target".to_owned()
    };
    println!();
    println!(
        "nproc: {nproc} · concurrency: {} · duration: {} s sustained (after {} s warm-up) · buyers: {buyers} · sale stock: {SALE_STOCK} · server: http://{authority} ({server})",
        args.concurrency,
        args.duration,
        WARM_UP.as_secs()
    );
}

/// A failed check: shouted on stderr, printed under the tables, and returned.
pub(super) fn fail(message: String) -> anyhow::Error {
    eprintln!("!!!!! {message} !!!!!");
    println!();
    println!("**ERROR: {message}**");
    anyhow::anyhow!(message)
}

/// `p50 / p99` in milliseconds, or `n/a` without samples.
pub fn p50_p99(samples_us: &mut [u32]) -> String {
    super::stats::Percentiles::from_samples(samples_us).map_or_else(
        || "n/a".to_owned(),
        |p| format!("{:.2} / {:.2}", p.p50, p.p99),
    )
}
