//! `souk-bench --websocket-hold`: one process holding its share of the
//! WebSocket benchmark's connections to one node. A process may open about
//! 20,000 files on many machines, so `souk-bench --websocket` runs one of
//! these per 19,000 connections and talks to it over stdin and stdout:
//!
//! - in: one line per connection, `read` or `mute`, the bearer token and the
//!   topics, separated by tabs; then `go`;
//! - out: one JSON [`Opened`] line once every connection was tried;
//! - in: `mute` (the `mute` connections stop reading), then `stop`;
//! - out: one JSON [`Outcome`] line, and the process exits.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, bail, ensure};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinSet;

use super::ws_conn::{self, Held};
use super::{BenchArgs, open_files};

/// Handshakes in flight at once.
const CONNECTING: usize = 512;

/// One connection to open: its token, its topics, and whether it keeps
/// reading to the end.
#[derive(Clone, Debug, PartialEq)]
pub struct Conn {
    pub token: Arc<str>,
    pub topics: Vec<String>,
    pub reads: bool,
}

impl Conn {
    /// The line that hands this connection to a holder.
    pub fn line(&self) -> String {
        let mode = if self.reads { "read" } else { "mute" };
        format!("{mode}\t{}\t{}\n", self.token, self.topics.join("\t"))
    }

    fn parse(line: &str) -> anyhow::Result<Conn> {
        let mut fields = line.split('\t');
        let reads = match fields.next() {
            Some("read") => true,
            Some("mute") => false,
            other => bail!("expected read or mute, got {other:?}"),
        };
        let token = Arc::from(fields.next().context("no token")?);
        let topics: Vec<String> = fields.map(str::to_owned).collect();
        ensure!(!topics.is_empty(), "no topics");
        Ok(Conn {
            token,
            topics,
            reads,
        })
    }
}

/// How many of a holder's connections opened.
#[derive(Default, Serialize, Deserialize)]
pub struct Opened {
    pub ok: usize,
    pub failed: usize,
    pub first_error: Option<String>,
}

/// What a holder's connections saw. Only reading connections' events count.
#[derive(Default, Serialize, Deserialize)]
pub struct Outcome {
    /// Server timestamp → arrival, in microseconds, per event.
    pub latencies_us: Vec<u32>,
    /// Reading connections the server or the network ended early.
    pub lost: usize,
    pub first_lost: Option<String>,
}

/// Runs the holder: `--target` is the node, `--source-first` the first
/// loopback source address (0 is 127.0.0.1) of its connections.
pub async fn run(args: &BenchArgs) -> anyhow::Result<()> {
    let target = args.target.as_deref().context("--target is required")?;
    let address: SocketAddr = super::authority_of(target)?
        .parse()
        .context("the target must be an IP address and port")?;
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut conns = Vec::new();
    while let Some(line) = lines.next_line().await? {
        if line == "go" {
            break;
        }
        conns.push(Conn::parse(&line).context("a connection line")?);
    }
    let needed = conns.len() as u64 + 64;
    let limit = open_files::raise(needed + 1024);
    ensure!(
        limit >= needed,
        "the open-file limit is {limit}, {} connections need {needed}",
        conns.len()
    );
    let (stop, stopped) = watch::channel(false);
    let (mute, muted) = watch::channel(false);
    let places = Places {
        address,
        first: args.source_first,
        per_address: args.connections_per_address,
    };
    let (mut tasks, opened) = connect_all(places, conns, stopped, muted).await;
    say(&opened).await?;
    while let Some(line) = lines.next_line().await? {
        match line.as_str() {
            "mute" => {
                let _ = mute.send(true);
            }
            "stop" => break,
            other => bail!("unexpected command {other:?}"),
        }
    }
    let _ = stop.send(true);
    let mut outcome = Outcome::default();
    while let Some(done) = tasks.join_next().await {
        let (reads, held) = done.unwrap_or((true, Held::default()));
        if !reads {
            continue;
        }
        outcome.latencies_us.extend(held.latencies_us);
        if let Some(why) = held.lost {
            outcome.lost += 1;
            outcome.first_lost.get_or_insert(why);
        }
    }
    say(&outcome).await
}

async fn say(value: &impl Serialize) -> anyhow::Result<()> {
    let mut line = serde_json::to_vec(value)?;
    line.push(b'\n');
    let mut out = tokio::io::stdout();
    out.write_all(&line).await?;
    out.flush().await?;
    Ok(())
}

/// Where a holder's connections go and come from.
#[derive(Clone, Copy)]
struct Places {
    address: SocketAddr,
    first: usize,
    per_address: usize,
}

/// Opens every connection, `CONNECTING` handshakes at a time; each then
/// holds on in its own task until `stop`.
async fn connect_all(
    places: Places,
    conns: Vec<Conn>,
    stop: watch::Receiver<bool>,
    mute: watch::Receiver<bool>,
) -> (JoinSet<(bool, Held)>, Opened) {
    let gate = Arc::new(Semaphore::new(CONNECTING));
    let (report, mut reports) = mpsc::unbounded_channel();
    let mut tasks = JoinSet::new();
    let per_address = places.per_address.max(1);
    for (i, conn) in conns.into_iter().enumerate() {
        let Ok(permit) = gate.clone().acquire_owned().await else {
            break;
        };
        let (stop, mute, report) = (stop.clone(), mute.clone(), report.clone());
        tasks.spawn(async move {
            let source = ws_conn::source_of(places.first * per_address + i, per_address);
            let opened = ws_conn::open(places.address, source, &conn.token, &conn.topics).await;
            drop(permit);
            let held = match opened {
                Ok(ws) => {
                    let _ = report.send(Ok(()));
                    // The count of opened connections ends when every sender is gone.
                    drop(report);
                    let mute = (!conn.reads).then_some(mute);
                    ws_conn::hold(ws, stop, mute).await
                }
                Err(e) => {
                    let _ = report.send(Err(format!("{e:#}")));
                    Held::default()
                }
            };
            (conn.reads, held)
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_line_reads_back() {
        let conn = Conn {
            token: Arc::from("eyJ.token"),
            topics: vec!["order:1".into(), "user:me".into()],
            reads: false,
        };
        let line = conn.line();
        assert_eq!(Conn::parse(line.trim_end()).unwrap(), conn);
    }

    #[test]
    fn a_bad_line_is_refused() {
        assert!(Conn::parse("listen\tt\tuser:me").is_err());
        assert!(Conn::parse("read\tt").is_err());
    }
}
