//! A disk that fails under the store: the `souk` binary runs with a shim
//! (`failio.c`, loaded with `LD_PRELOAD`) that makes every write and sync of
//! the store's journal fail with EIO once a flag file exists. A write then
//! answers 503 and changes nothing, the node stays up and says it is not
//! ready, and after a restart on a healthy disk everything acknowledged
//! before the failure is there and nothing refused is.
// Test code: clippy.toml allows unwrap/expect in `#[test]` fns only, not in helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../support/souk_process.rs"]
mod souk_process;

use std::path::{Path, PathBuf};

use reqwest::StatusCode;
use serde_json::json;
use tokio::process::Child;

const PASSWORD: &str = "correct horse battery";

/// Builds the shim with the C compiler every souk build already needs (the
/// allocator's crate compiles C); `None` when there is none.
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
    built.then_some(out)
}

async fn start(data: &Path, shim: Option<(&Path, &Path)>) -> (Child, String) {
    let mut command = souk_process::serve(data, false);
    command
        .env("SOUK__RATE_LIMIT__ENABLED", "false")
        .env("SOUK__ASSISTANT__ENABLED", "false")
        .env("SOUK__METRICS__LISTEN", "127.0.0.1:0");
    if let Some((library, flag)) = shim {
        command
            .env("LD_PRELOAD", library)
            .env("SOUK_TEST_FAIL_FLAG", flag);
    }
    souk_process::start(command).await
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
    let Some(library) = shim(dir.path()) else {
        assert!(
            std::env::var_os("SOUK_REQUIRE_SERVICES").is_none(),
            "no C compiler to build the failing-disk shim"
        );
        println!("skipped: no C compiler to build the failing-disk shim");
        return;
    };
    let (data, flag) = (dir.path().join("data"), dir.path().join("fail"));
    let client = reqwest::Client::new();
    let (mut node, base) = start(&data, Some((&library, &flag))).await;

    let before: Vec<String> = (0..20).map(|i| format!("before{i}")).collect();
    for name in &before {
        assert_eq!(register(&client, &base, name).await, StatusCode::CREATED);
    }
    std::fs::write(&flag, b"").expect("the flag is set");
    assert_eq!(
        register(&client, &base, "during").await,
        StatusCode::SERVICE_UNAVAILABLE,
        "a write the journal cannot take is refused"
    );
    std::fs::remove_file(&flag).expect("the flag is cleared");
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

    let (_node, base) = start(&data, None).await;
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
