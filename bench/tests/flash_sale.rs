//! A contended flash sale against the real app, checked for overselling by the same
//! code the `souk-bench --flash-sale` verifier runs: many buyers check out one unit each
//! of a product with far fewer units, over HTTP, at once, and pay what they get.

use std::path::Path;
use std::sync::Arc;

use souk_bench::checkout_client::Api;
use souk_bench::{flash, flash_contended};
use souk_runtime::{Application, Config};
use tempfile::TempDir;
use tokio::sync::oneshot;

/// Units for sale.
const STOCK: u64 = 20;
/// Buyers who each want one.
const BUYERS: usize = 100;
/// Buyers checking out at the same moment.
const CONCURRENCY: usize = 50;

/// The real app, in process, on an ephemeral port, with the demo catalog.
struct App {
    authority: Arc<str>,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
    _dir: TempDir,
}

async fn spawn_demo() -> App {
    let dir = TempDir::new().unwrap_or_else(|e| panic!("a temp data dir: {e}"));
    let data_dir = dir.path().display().to_string();
    let env: Vec<(String, String)> = [
        ("SOUK__SERVER__LISTEN", "127.0.0.1:0"),
        ("SOUK__METRICS__LISTEN", "127.0.0.1:0"),
        ("SOUK__SERVER__DATA_DIR", data_dir.as_str()),
        ("SOUK__RATE_LIMIT__ENABLED", "false"),
        // The sale's shoppers check out without opening a verification letter.
        ("SOUK__AUTH__UNVERIFIED_CHECKOUT", "true"),
        ("SOUK__LOG__LEVEL", "warn"),
        ("SOUK__ASSISTANT__ENABLED", "false"),
        // As the bench runs it: checkouts answer 201 or 409, not 202 with a ticket.
        ("SOUK__CHECKOUT__WAIT_MS", "10000"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let config = Config::from_layers(Path::new("config"), &env)
        .unwrap_or_else(|e| panic!("the test config: {e}"));
    let app = Application::build(config, true)
        .await
        .unwrap_or_else(|e| panic!("the app with the demo catalog: {e:#}"));
    let authority = Arc::from(format!("127.0.0.1:{}", app.port()));
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    App {
        authority,
        stop,
        task,
        _dir: dir,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_contended_flash_sale_sells_every_unit_once_and_never_more() {
    let app = spawn_demo().await;
    let mut api = Api::new(app.authority.clone());
    let seller = api
        .login(flash::SELLER_EMAIL, flash::SELLER_PASSWORD)
        .await
        .expect("the demo seller logs in");
    let products = flash::seller_products(&mut api, &seller)
        .await
        .expect("the demo seller's products are listed");
    let product = products.first().expect("the demo seller has a product");
    api.set_stock(&seller, product, STOCK)
        .await
        .expect("the seller puts the units up for sale");
    let buyers = flash::register_buyers(&app.authority, BUYERS, product)
        .await
        .expect("every buyer registers with one unit in the cart");
    let buyers = flash::tokens(&buyers);

    let sale = flash_contended::run(&app.authority, &buyers, product, STOCK, CONCURRENCY)
        .await
        .expect("the sale runs and is read back");

    // What the bench checks: no more units on orders or orders paid than were for sale,
    // and units on orders + units still available = units for sale.
    assert_eq!(sale.fault(), None, "the bench's verifier found a fault");
    let errors: Vec<_> = sale.errors.counts.iter().collect();
    assert!(errors.is_empty(), "unexpected answers: {errors:?}");
    // Every buyer got an answer: an order for the first units, 409 out_of_stock after.
    assert_eq!(sale.placed + sale.out_of_stock, BUYERS as u64);
    assert_eq!(sale.placed, STOCK, "every unit was sold");
    assert_eq!(sale.paid, STOCK, "every order placed was paid");
    assert_eq!(
        sale.found.orders_by_status.get("paid"),
        Some(&STOCK),
        "the buyers' paid orders, as they list them: {:?}",
        sale.found.orders_by_status
    );
    assert_eq!(sale.found.units_ordered, STOCK);
    assert_eq!(sale.found.final_available, 0, "the product is sold out");

    let _ = app.stop.send(());
    app.task
        .await
        .expect("the server task ends")
        .expect("the server stops cleanly");
}
