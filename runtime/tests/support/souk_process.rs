//! Running the `souk` binary as a child process, for the tests that kill or
//! break it from outside.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// `souk serve` (with `--demo` if `demo`) on a free loopback port and
/// `data`; add settings to it with `.env`, then [`start`] it.
pub fn serve(data: &std::path::Path, demo: bool) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_souk"));
    command.arg("serve");
    if demo {
        command.arg("--demo");
    }
    command
        .args(["--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .env("RUST_LOG", "warn")
        // Nodes of tests that run side by side each get a metrics port.
        .env("SOUK__METRICS__LISTEN", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    command
}

/// Starts `command` and waits until it says where it listens: the child
/// and its base URL.
pub async fn start(mut command: Command) -> (Child, String) {
    let mut child = command.spawn().expect("souk starts");
    let stdout = child.stdout.take().expect("souk's stdout is piped");
    let mut lines = BufReader::new(stdout).lines();
    let base = tokio::time::timeout(Duration::from_secs(120), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(url) = line.strip_prefix("souk listening on ") {
                return url.to_owned();
            }
        }
        panic!("souk exited before listening");
    })
    .await
    .expect("souk starts listening in time");
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, base)
}
