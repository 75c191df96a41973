//! The WebSocket benchmark's side of its holder processes (see `ws_hold`):
//! starts one `souk-bench --websocket-hold` per share of connections, hands
//! it its connections and tells it when to mute and stop.

use std::process::Stdio;

use anyhow::{Context, bail};
use serde::de::DeserializeOwned;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

use super::ws_hold::{Conn, Opened, Outcome};

/// One running holder process.
pub struct Holder {
    /// `host:port` of the node its connections go to.
    pub target: String,
    child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
}

impl Holder {
    /// Starts a holder for `conns` to `target` (`host:port`), from the
    /// loopback source addresses `source_first`, `source_first` + 1, …
    /// (`per_address` connections each), and has it open them.
    pub async fn start(
        target: &str,
        source_first: usize,
        per_address: usize,
        conns: &[Conn],
    ) -> anyhow::Result<Holder> {
        let exe = std::env::current_exe().context("cannot find this souk-bench")?;
        let mut child = Command::new(exe)
            .arg("--websocket-hold")
            .args(["--target", &format!("http://{target}")])
            .args(["--source-first", &source_first.to_string()])
            .args(["--connections-per-address", &per_address.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .context("cannot start a holder process")?;
        let mut stdin = child.stdin.take().context("no stdin")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = String::with_capacity(conns.len() * 400);
        for conn in conns {
            lines.push_str(&conn.line());
        }
        lines.push_str("go\n");
        stdin.write_all(lines.as_bytes()).await?;
        stdin.flush().await?;
        Ok(Holder {
            target: target.to_owned(),
            child,
            stdin,
            stdout: BufReader::new(stdout).lines(),
        })
    }

    /// The holder's process id, for its memory.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Waits until every connection was tried.
    pub async fn opened(&mut self) -> anyhow::Result<Opened> {
        self.read().await
    }

    /// Its `mute` connections stop reading.
    pub async fn mute(&mut self) -> anyhow::Result<()> {
        self.stdin.write_all(b"mute\n").await?;
        Ok(self.stdin.flush().await?)
    }

    /// Closes its connections and returns what they saw.
    pub async fn finish(mut self) -> anyhow::Result<Outcome> {
        self.stdin.write_all(b"stop\n").await?;
        self.stdin.flush().await?;
        let outcome = self.read().await?;
        self.child.wait().await?;
        Ok(outcome)
    }

    async fn read<T: DeserializeOwned>(&mut self) -> anyhow::Result<T> {
        match self.stdout.next_line().await? {
            Some(line) => serde_json::from_str(&line).context("a holder's report"),
            None => bail!("a holder for {} ended early", self.target),
        }
    }
}
