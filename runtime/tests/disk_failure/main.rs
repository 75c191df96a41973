//! A disk that fails under the store: the `souk` binary runs with a shim
//! (`failio.c`, loaded with `LD_PRELOAD`) that makes writes and syncs of some
//! of the store's files fail with EIO once a flag file exists.
//!
//! - The journal: a write answers 503 and changes nothing, the node stays up
//!   and says it is not ready, and after a restart on a healthy disk
//!   everything acknowledged before the failure is there and nothing refused
//!   is.
//! - The tables memtables are written out to: writes go on while the memtable
//!   has room, then answer 503 rather than pile up in memory; everything
//!   acknowledged is there after a restart.
// Test code: clippy.toml allows unwrap/expect in `#[test]` fns only, not in helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../support/souk_process.rs"]
mod souk_process;

use std::path::{Path, PathBuf};

use reqwest::StatusCode;
use serde_json::json;
use tokio::process::{Child, Command};

const PASSWORD: &str = "correct horse battery";

/// Builds the shim with the C compiler every souk build already needs (the
/// allocator's crate compiles C); `None`, after saying the test is skipped,
/// when there is none (a failure under `SOUK_REQUIRE_SERVICES`).
fn shim(dir: &Path) -> Option<PathBuf> {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/disk_failure/failio.c");
    let out = dir.join("failio.so");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_owned());
    let built = std::process::Command::new(cc)
        .args(["-shared", "-fPIC", "-O2", "-o"])
        .arg(&out)
        .arg(source)
        .arg("-ldl")
        .status()
        .is_ok_and(|s| s.success());
    if !built {
        assert!(
            std::env::var_os("SOUK_REQUIRE_SERVICES").is_none(),
            "no C compiler to build the failing-disk shim"
        );
        println!("skipped: no C compiler to build the failing-disk shim");
    }
    built.then_some(out)
}

/// A data dir under a disk that fails: once the flag file exists, writes and
/// syncs of the store's files whose path contains `path` fail with EIO.
struct FailingDisk {
    library: PathBuf,
    flag: PathBuf,
    path: &'static str,
    data: PathBuf,
}

impl FailingDisk {
    /// `None` when the test is skipped (see [`shim`]).
    fn new(dir: &Path, path: &'static str) -> Option<Self> {
        Some(Self {
            library: shim(dir)?,
            flag: dir.join("fail"),
            path,
            data: dir.join("data"),
        })
    }

    fn fail(&self) {
        std::fs::write(&self.flag, b"").expect("the flag is set");
    }

    fn heal(&self) {
        std::fs::remove_file(&self.flag).expect("the flag is cleared");
    }

    /// A node on the data dir with the shim loaded.
    async fn start(&self, demo: bool) -> (Child, String) {
        let mut command = serve(&self.data, demo);
        command
            .env("LD_PRELOAD", &self.library)
            .env("SOUK_TEST_FAIL_FLAG", &self.flag)
            .env("SOUK_TEST_FAIL_PATH", self.path);
        souk_process::start(command).await
    }

    /// A node on the data dir on a healthy disk.
    async fn start_healthy(&self, demo: bool) -> (Child, String) {
        souk_process::start(serve(&self.data, demo)).await
    }
}

fn serve(data: &Path, demo: bool) -> Command {
    let mut command = souk_process::serve(data, demo);
    command
        .env("SOUK__RATE_LIMIT__ENABLED", "false")
        .env("SOUK__ASSISTANT__ENABLED", "false")
        .env("SOUK__METRICS__LISTEN", "127.0.0.1:0");
    command
}

async fn register(client: &reqwest::Client, base: &str, name: &str) -> StatusCode {
    let body = json!({
        "email": format!("{name}@example.com"),
        "password": PASSWORD,
        "display_name": name,
    });
    client
        .post(format!("{base}/api/v1/auth/register"))
        .json(&body)
        .send()
        .await
        .expect("the request is answered")
        .status()
}

async fn logs_in(client: &reqwest::Client, base: &str, name: &str) -> bool {
    let body = json!({ "email": format!("{name}@example.com"), "password": PASSWORD });
    let response = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&body)
        .send()
        .await
        .expect("the request is answered");
    response.status() == StatusCode::OK
}

async fn ready(client: &reqwest::Client, base: &str) -> StatusCode {
    let response = client.get(format!("{base}/health/ready")).send().await;
    response.expect("the request is answered").status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_journal_answers_503_and_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let Some(disk) = FailingDisk::new(dir.path(), ".jnl") else {
        return;
    };
    let client = reqwest::Client::new();
    let (mut node, base) = disk.start(false).await;

    let before: Vec<String> = (0..20).map(|i| format!("before{i}")).collect();
    for name in &before {
        assert_eq!(register(&client, &base, name).await, StatusCode::CREATED);
    }
    disk.fail();
    assert_eq!(
        register(&client, &base, "during").await,
        StatusCode::SERVICE_UNAVAILABLE,
        "a write the journal cannot take is refused"
    );
    disk.heal();
    // fjall stops taking writes after a failed journal write, until restarted;
    // the node says so to whoever decides on restarts.
    assert_eq!(
        register(&client, &base, "after").await,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(ready(&client, &base).await, StatusCode::SERVICE_UNAVAILABLE);
    let browse = client
        .get(format!("{base}/api/v1/products?limit=1"))
        .send()
        .await;
    assert_eq!(
        browse.expect("the request is answered").status(),
        StatusCode::OK,
        "reads still work"
    );
    assert!(
        node.try_wait().expect("the node's state").is_none(),
        "the node stays up"
    );
    node.kill().await.expect("the node is killed");

    let (_node, base) = disk.start_healthy(false).await;
    assert_eq!(ready(&client, &base).await, StatusCode::OK);
    for name in &before {
        assert!(
            logs_in(&client, &base, name).await,
            "{name} was acknowledged"
        );
    }
    assert!(
        !logs_in(&client, &base, "during").await,
        "a refused write left nothing"
    );
    assert!(!logs_in(&client, &base, "after").await);
    assert_eq!(register(&client, &base, "later").await, StatusCode::CREATED);
}

/// A product body of about 5 KB, so a few thousand fill a memtable.
fn bulky_product(n: usize) -> serde_json::Value {
    json!({
        "title": format!("Bulky kettle {n}"),
        "description": "A kettle described at length. ".repeat(160),
        "category": "kitchen",
        "price": { "amount": 4999, "currency": "USD" },
        "stock": 5
    })
}

async fn login(client: &reqwest::Client, base: &str, email: &str) -> String {
    let body = json!({ "email": email, "password": "souk-demo-password" });
    let response = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&body)
        .send()
        .await
        .expect("the request is answered");
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.expect("a JSON body");
    body["access_token"].as_str().expect("a token").to_owned()
}

/// Products created until the first refusal; panics on any other answer.
async fn create_until_refused(client: &reqwest::Client, base: &str, token: &str) -> Vec<String> {
    let mut created = Vec::new();
    for n in 0..MAX_PRODUCTS {
        let response = client
            .post(format!("{base}/api/v1/products"))
            .bearer_auth(token)
            .json(&bulky_product(n))
            .send()
            .await
            .expect("the request is answered");
        match response.status() {
            StatusCode::CREATED => {
                let body: serde_json::Value = response.json().await.expect("a JSON body");
                created.push(body["id"].as_str().expect("an id").to_owned());
            }
            StatusCode::SERVICE_UNAVAILABLE => return created,
            other => panic!("product {n} answered {other}"),
        }
    }
    panic!(
        "{MAX_PRODUCTS} products (about {} MiB) were taken while no table could be written: \
         memory would grow without bound",
        MAX_PRODUCTS * 5 / 1024
    );
}

/// Far more than one memtable (8 MiB) holds.
const MAX_PRODUCTS: usize = 6_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tables_that_cannot_be_written_stop_writes_instead_of_filling_memory() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let Some(disk) = FailingDisk::new(dir.path(), "/tables/") else {
        return;
    };
    let client = reqwest::Client::new();
    let (mut node, base) = disk.start(true).await;
    let seller = login(&client, &base, "kestrel@example.com").await;
    disk.fail();

    let created = create_until_refused(&client, &base, &seller).await;
    println!(
        "{} products acknowledged before the first 503",
        created.len()
    );
    assert!(
        created.len() > 100,
        "writes go on while the memtable has room ({} did)",
        created.len()
    );
    assert_eq!(ready(&client, &base).await, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        node.try_wait().expect("the node's state").is_none(),
        "the node stays up"
    );
    node.kill().await.expect("the node is killed");

    disk.heal();
    let (_node, base) = disk.start_healthy(true).await;
    assert_eq!(ready(&client, &base).await, StatusCode::OK);
    for id in &created {
        let response = client
            .get(format!("{base}/api/v1/products/{id}"))
            .send()
            .await
            .expect("the request is answered");
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "product {id} was acknowledged"
        );
    }
}
