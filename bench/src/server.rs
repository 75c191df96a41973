//! The `souk serve --demo` child process a benchmark runs against.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The token a bench server's `/metrics` asks for. Bench servers listen on
/// loopback only and live for one run, so it guards nothing secret; a
/// `--target` server started with it (`scripts/flash-server.sh` does) shows
/// its CPU and memory figures too.
pub const METRICS_TOKEN: &str = "souk-bench-metrics-token";

/// How long the demo server may take to seed its data and start listening.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(120);
/// The line the server prints on stdout once it accepts connections.
const READY_PREFIX: &str = "souk listening on ";

/// A running demo server with its own data directory. Dropping it kills the process
/// and removes the directory.
pub struct Server {
    child: Child,
    /// `host:port` the server listens on.
    authority: String,
    // Declared after `child` so the directory goes only once the process is killed.
    _data_dir: DataDir,
}

impl Server {
    /// Starts `souk` (the `--souk` path, else the one beside this executable) as
    /// `souk serve --demo` on a free loopback port, with rate limits off, and waits
    /// until it is listening.
    pub async fn start(souk: Option<&Path>) -> anyhow::Result<Server> {
        Server::start_with(souk, &[]).await
    }

    /// Like [`Server::start`], with extra environment variables for the server
    /// (e.g. `SOUK__CHECKOUT__WAIT_MS`); they override the bench's defaults.
    pub async fn start_with(souk: Option<&Path>, env: &[(&str, &str)]) -> anyhow::Result<Server> {
        let exe = souk_executable(souk)?;
        let data_dir = DataDir::create()?;
        let mut child = Command::new(&exe)
            .arg("serve")
            .arg("--demo")
            .arg("--data-dir")
            .arg(data_dir.path())
            .args(["--listen", "127.0.0.1:0"])
            .env("SOUK__RATE_LIMIT__ENABLED", "false")
            // Its shoppers check out without opening a verification letter.
            .env("SOUK__AUTH__UNVERIFIED_CHECKOUT", "true")
            // Every simulated client comes from loopback; /metrics beside
            // the API (behind the bench's token), so several bench servers
            // can run side by side and the bench reads their CPU time.
            .env("SOUK__SERVER__MAX_CONNECTIONS_PER_IP", "1000000")
            .env("SOUK__METRICS__LISTEN", "")
            .env("SOUK__METRICS__TOKEN", METRICS_TOKEN)
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("cannot start {} serve --demo", exe.display()))?;
        let stdout = child.stdout.take().context("server stdout is not piped")?;
        let mut lines = BufReader::new(stdout).lines();

        let ready = tokio::time::timeout(STARTUP_TIMEOUT, async {
            while let Some(line) = lines
                .next_line()
                .await
                .context("cannot read server stdout")?
            {
                if let Some(url) = line.trim().strip_prefix(READY_PREFIX) {
                    return Ok(Some(url.to_owned()));
                }
            }
            anyhow::Ok(None)
        })
        .await;
        let url = match ready {
            Ok(Ok(Some(url))) => url,
            Ok(Ok(None)) => {
                let status = child.wait().await.context("cannot wait for the server")?;
                bail!("server exited before it started listening ({status})");
            }
            Ok(Err(e)) => return Err(e),
            Err(_) => bail!(
                "server did not start listening within {} s",
                STARTUP_TIMEOUT.as_secs()
            ),
        };
        let authority = super::authority_of(&url)
            .with_context(|| format!("server printed an unexpected address {url:?}"))?;

        // Keep draining stdout so the server never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });

        Ok(Server {
            child,
            authority,
            _data_dir: data_dir,
        })
    }

    /// `host:port` the server listens on.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// The server's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// The server's resident set size in MiB, from `/proc/<pid>/status`.
    pub fn rss_mib(&self) -> anyhow::Result<f64> {
        let pid = self.child.id().context("server has exited")?;
        rss_mib_of(&format!("/proc/{pid}/status"))
    }

    /// How the server exited, or `None` while it runs.
    pub fn exit_status(&mut self) -> anyhow::Result<Option<std::process::ExitStatus>> {
        self.child
            .try_wait()
            .context("cannot check whether the server runs")
    }

    /// Kills the server, waits for it to exit and removes its data directory.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        self.child.kill().await.context("cannot stop the server")?;
        Ok(())
    }
}

/// The `souk` executable to start: `given` (from `--souk`), else `souk` in the
/// directory of this `souk-bench`, where cargo puts both.
fn souk_executable(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(path) = given {
        if !path.is_file() {
            bail!("--souk {}: no such file", path.display());
        }
        return Ok(path.to_owned());
    }
    let bench = std::env::current_exe().context("cannot find the souk-bench executable")?;
    let dir = bench
        .parent()
        .context("the souk-bench executable has no directory")?;
    let souk = dir.join(format!("souk{}", std::env::consts::EXE_SUFFIX));
    if !souk.is_file() {
        bail!(
            "no souk executable at {}: build it beside souk-bench with `cargo build --release --bin souk` \
             (`cargo build --bin souk` for a debug souk-bench), or pass --souk PATH",
            souk.display()
        );
    }
    Ok(souk)
}

/// A fresh, uniquely named directory under the system temp dir, removed on drop.
struct DataDir(PathBuf);

impl DataDir {
    fn create() -> anyhow::Result<DataDir> {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let path = std::env::temp_dir().join(format!("souk-bench-{}-{nanos}", std::process::id()));
        std::fs::create_dir(&path).with_context(|| format!("cannot create {}", path.display()))?;
        Ok(DataDir(path))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_dir_all(&self.0) {
            eprintln!("warning: cannot remove {}: {e}", self.0.display());
        }
    }
}

/// Resident memory, in MiB, from a `/proc/<pid>/status` file
/// (`/proc/self/status` for the bench itself).
pub fn rss_mib_of(path: &str) -> anyhow::Result<f64> {
    let status = std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?;
    let kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().strip_suffix("kB"))
        .and_then(|kib| kib.trim().parse().ok())
        .with_context(|| format!("no VmRSS line in {path}"))?;
    Ok(kib / 1024.0)
}
