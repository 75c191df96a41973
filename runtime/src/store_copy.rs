//! `souk store copy --from A --to B`: moves a whole marketplace from one
//! store to another (the way off a single node: from the embedded store to
//! PostgreSQL or ScyllaDB), then checks the copy by counts and checksums.
//!
//! Records move kind by kind, a batch at a time in the source's order. After each
//! batch the destination records how far the copy got (`copy.progress` in
//! its settings); imports replace by key, so a copy interrupted anywhere is
//! resumed by running the same command again. The source must not change
//! meanwhile: stop the nodes on it first (an embedded store can only be
//! opened by one process anyway).

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use souk_actors::Store;
use souk_actors::store::copy::{Kind, Record};

use crate::config::Config;
use crate::store::{Location, NodeStore};

/// The destination's record of a copy in progress.
const PROGRESS: &str = "copy.progress";

#[derive(Debug, Serialize, Deserialize)]
struct Progress {
    source: String,
    /// The kind being copied and the key of the last record written;
    /// `None` once the copy is done.
    at: Option<(Kind, String)>,
}

/// Copies `from` into `to` in batches of `batch` records, then verifies.
pub async fn copy(config: &Config, from: &str, to: &str, batch: usize) -> anyhow::Result<()> {
    let (from, to) = (Location::parse(from)?, Location::parse(to)?);
    if from.label() == to.label() {
        bail!("--from and --to name the same store");
    }
    let source = NodeStore::open_at(&from, config)
        .await
        .context("cannot open the source (--from); is a node still running on it?")?;
    let destination = NodeStore::open_at(&to, config)
        .await
        .context("cannot open the destination (--to)")?;
    let copied = run(
        source.ports(),
        destination.ports(),
        &from.label(),
        batch.max(1),
    )
    .await;
    source.close().await;
    destination.close().await;
    copied
}

async fn run(
    source: Arc<dyn Store>,
    destination: Arc<dyn Store>,
    label: &str,
    batch: usize,
) -> anyhow::Result<()> {
    let resume = resume_point(destination.as_ref(), label).await?;
    let started = resume.as_ref().map(|(kind, _)| *kind);
    for kind in Kind::ALL {
        if started.is_some_and(|s| kind < s) {
            continue;
        }
        let mut after = match &resume {
            Some((k, key)) if *k == kind => Some(key.clone()),
            _ => None,
        };
        let total = source.count(kind).await?;
        let mut bar = Bar::new(kind, total, after.is_some());
        loop {
            let page = source.export(kind, after.as_deref(), batch).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.key());
            let page: Vec<Record> = page.into_iter().filter(|r| !r.is_own_setting()).collect();
            destination.import(&page).await?;
            let progress = Progress {
                source: label.to_owned(),
                at: after.clone().map(|key| (kind, key)),
            };
            destination
                .put_meta(PROGRESS, &serde_json::to_string(&progress)?)
                .await?;
            bar.advance(page.len() as u64);
        }
        bar.finish();
    }
    verify(source.as_ref(), destination.as_ref(), batch).await?;
    let done = Progress {
        source: label.to_owned(),
        at: None,
    };
    destination
        .put_meta(PROGRESS, &serde_json::to_string(&done)?)
        .await?;
    Ok(())
}

/// Where to pick up: the point an interrupted copy from the same source
/// reached, or the start. Refuses a destination that holds another
/// marketplace or a copy from another source.
async fn resume_point(
    destination: &dyn Store,
    label: &str,
) -> anyhow::Result<Option<(Kind, String)>> {
    if let Some(text) = destination.get_meta(PROGRESS).await? {
        let progress: Progress =
            serde_json::from_str(&text).context("the destination's copy.progress is unreadable")?;
        if progress.source != label {
            bail!(
                "the destination holds a copy from {}; finish it with --from {0}, or copy into an empty store",
                progress.source
            );
        }
        if let Some((kind, key)) = &progress.at {
            eprintln!("resuming the copy at {} after {key}", kind.name());
        }
        return Ok(progress.at);
    }
    for kind in [Kind::Users, Kind::Products, Kind::Orders] {
        if !destination.export(kind, None, 1).await?.is_empty() {
            bail!(
                "the destination already holds {}: copy into an empty store",
                kind.name()
            );
        }
    }
    Ok(None)
}

/// Count and checksum of every record of `kind` (but a store's settings
/// about itself): the SHA-256 of each record's JSON, summed, so two stores
/// that page in different orders (ScyllaDB by partition token) compare.
async fn digest(store: &dyn Store, kind: Kind, batch: usize) -> anyhow::Result<(u64, String)> {
    let (mut count, mut sum, mut after) = (0u64, [0u64; 4], None::<String>);
    loop {
        let page = store.export(kind, after.as_deref(), batch).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.key());
        for record in page.iter().filter(|r| !r.is_own_setting()) {
            let hash = Sha256::digest(serde_json::to_vec(record)?);
            for (lane, bytes) in sum.iter_mut().zip(hash.chunks_exact(8)) {
                let mut word = [0u8; 8];
                word.copy_from_slice(bytes);
                *lane = lane.wrapping_add(u64::from_be_bytes(word));
            }
            count += 1;
        }
    }
    let hex: String = sum.iter().map(|lane| format!("{lane:016x}")).collect();
    Ok((count, hex))
}

/// Compares both stores kind by kind; prints the table, fails on a mismatch.
async fn verify(source: &dyn Store, destination: &dyn Store, batch: usize) -> anyhow::Result<()> {
    eprintln!("verifying: counts and SHA-256 of every record, both sides");
    let mut differ = Vec::new();
    for kind in Kind::ALL {
        let (n, a) = digest(source, kind, batch).await?;
        let (m, b) = digest(destination, kind, batch).await?;
        let same = n == m && a == b;
        eprintln!(
            "  {:<24} {n:>12} {m:>12}  {}  {}",
            kind.name(),
            &a[..12],
            if same { "same" } else { "DIFFERENT" }
        );
        if !same {
            differ.push(kind.name());
        }
    }
    if !differ.is_empty() {
        bail!("the copy differs from its source in: {}", differ.join(", "));
    }
    eprintln!("copy verified");
    Ok(())
}

/// A progress bar on standard error: redrawn in place on a terminal, a
/// line per kind otherwise.
struct Bar {
    kind: Kind,
    total: u64,
    done: u64,
    started: Instant,
    drawn: Instant,
    live: bool,
}

impl Bar {
    fn new(kind: Kind, total: u64, resumed: bool) -> Self {
        if resumed {
            eprintln!("  {}: resumed", kind.name());
        }
        let bar = Self {
            kind,
            total,
            done: 0,
            started: Instant::now(),
            drawn: Instant::now(),
            live: std::io::stderr().is_terminal(),
        };
        bar.draw();
        bar
    }

    fn advance(&mut self, n: u64) {
        self.done += n;
        if self.live && self.drawn.elapsed().as_millis() >= 100 {
            self.drawn = Instant::now();
            self.draw();
        }
    }

    fn draw(&self) {
        if !self.live {
            return;
        }
        eprint!("\r{}", self.line());
        let _ = std::io::stderr().flush();
    }

    fn line(&self) -> String {
        const WIDTH: u64 = 30;
        let filled = (self.done * WIDTH)
            .checked_div(self.total)
            .unwrap_or(WIDTH)
            .min(WIDTH);
        let rate = self.done as f64 / self.started.elapsed().as_secs_f64().max(1e-3);
        format!(
            "  {:<24} [{}{}] {:>10} / {:<10} {:>9.0}/s",
            self.kind.name(),
            "#".repeat(filled as usize),
            "-".repeat((WIDTH - filled) as usize),
            self.done,
            self.total,
            rate
        )
    }

    fn finish(&self) {
        if self.live {
            eprintln!("\r{}", self.line());
        } else {
            eprintln!("{}", self.line());
        }
    }
}
