//! Crash simulation: proves the embedded store keeps what it acknowledged when
//! the machine dies, not only when the process does.
//!
//! A child process runs checkout-shaped writes against a real store with a
//! shim (`fslog.c`, loaded with `LD_PRELOAD`) that records every file change
//! under the store's directory. The record is then replayed onto a model disk
//! that keeps only what was fsynced, and cut at many points: at each, the
//! directory a crash would leave is written out (unsynced writes dropped, or
//! kept up to a torn page, or kept page by page in any order), opened, and
//! checked: every acknowledged write is there, the write in flight is whole
//! or absent, and each product's stock equals its holds and sales.
//!
//! `cargo test` cuts at `SOUK_CRASH_SEEDS` points (48 by default). The longer
//! run in `docs/storage.md` cuts thousands, with more orders per task
//! (`SOUK_CRASH_ORDERS`) and bigger catalog batches (`SOUK_CRASH_FILL`) so
//! fjall's journal rotates too. A failure keeps its image and names it.
// Not a #[test] harness: clippy.toml's test allowances do not reach here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod check;
mod disk;
mod driver;
mod record;
mod workload;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use disk::{Disk, Tear};
use record::Event;

const DEFAULT_SEEDS: u64 = 48;
const TASKS: usize = 6;
const DEFAULT_ORDERS: usize = 40;

fn main() -> ExitCode {
    let result = if std::env::var_os("SOUK_CRASH_ROLE").is_some() {
        drive()
    } else {
        simulate()
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("crash simulation failed: {message}");
            ExitCode::FAILURE
        }
    }
}

fn number<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String> {
    match std::env::var(name) {
        Ok(raw) => raw
            .parse()
            .map_err(|_| format!("{name}={raw} is not a number")),
        Err(_) => Ok(default),
    }
}

/// The child's side: run the workload under the shim.
fn drive() -> Result<(), String> {
    let path = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .ok_or(format!("{name} unset"))
    };
    driver::run(&driver::Config {
        store: &path("SOUK_FSLOG_DIR")?,
        marks: &path("SOUK_FSLOG_MARK")?,
        tasks: TASKS,
        orders: number("SOUK_CRASH_ORDERS", DEFAULT_ORDERS)?,
        fill: number("SOUK_CRASH_FILL", 1)?,
        seed: number("SOUK_CRASH_SEED", 1)?,
    })
}

fn simulate() -> Result<(), String> {
    if !cfg!(target_os = "linux") {
        return skip("the recording shim needs Linux (LD_PRELOAD over glibc)");
    }
    let seeds = number("SOUK_CRASH_SEEDS", DEFAULT_SEEDS)?;
    let seed: u64 = number("SOUK_CRASH_SEED", 1)?;
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    let work_dir = work.path().canonicalize().map_err(|e| e.to_string())?;
    let Some(shim) = build_shim(&work_dir)? else {
        return skip("no C compiler to build the recording shim (set CC)");
    };
    let events = record_workload(&shim, &work_dir)?;
    let cuts = cuts(&events, seeds, seed);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let mut disk = Disk::new();
    let mut progress = check::Progress::default();
    let mut replayed = 0;
    let mut totals = Totals::default();
    let image = work_dir.join("image");
    for cut in &cuts {
        for (n, event) in events.iter().enumerate().take(cut.point).skip(replayed) {
            disk.apply(event)?;
            if n % 4096 == 0 {
                disk.forget_unreachable();
            }
            if let Event::Mark(bytes) = event {
                progress.mark(bytes)?;
            }
        }
        replayed = cut.point;
        if image.exists() {
            std::fs::remove_dir_all(&image).map_err(|e| e.to_string())?;
        }
        let mut rng = StdRng::seed_from_u64(cut.seed);
        disk.crash_image(&image, cut.tear, &mut rng)?;
        match runtime.block_on(check::image(&image, &progress)) {
            Ok(outcome) => totals.add(cut.tear, outcome),
            Err(message) => {
                let kept = work.keep();
                return Err(format!(
                    "seed {} (cut after {} of {} recorded calls, {:?}): {message}\n\
                     the image is kept in {}",
                    cut.seed,
                    cut.point,
                    events.len(),
                    cut.tear,
                    kept.join("image").display()
                ));
            }
        }
    }
    let created = |suffix: &str| {
        events
            .iter()
            .filter(|e| matches!(e, Event::Open { flags, path, .. } if flags & 0o100 != 0 && path.to_string_lossy().contains(suffix)))
            .count()
    };
    println!(
        "crash simulation: {} images cut from {} recorded calls ({} acknowledged writes, {} \
         journals and {} tables created; torn: {} dropped, {} prefix, {} pages): every \
         acknowledged write present, the write in flight whole ({}) or absent ({}), stock \
         invariant held",
        cuts.len(),
        events.len(),
        progress.acked(),
        created(".jnl"),
        created("/tables/"),
        totals.drop,
        totals.prefix,
        totals.pages,
        totals.kept,
        totals.lost,
    );
    Ok(())
}

/// Runs the workload in a child process under the shim and reads back its
/// record, checked against the directory it left.
fn record_workload(shim: &Path, work_dir: &Path) -> Result<Vec<Event>, String> {
    let store = work_dir.join("store");
    std::fs::create_dir(&store).map_err(|e| e.to_string())?;
    let log = work_dir.join("fs.log");
    let status = std::process::Command::new(std::env::current_exe().map_err(|e| e.to_string())?)
        .env("SOUK_CRASH_ROLE", "driver")
        .env("LD_PRELOAD", shim)
        .env("SOUK_FSLOG_DIR", &store)
        .env("SOUK_FSLOG_MARK", work_dir.join("marks"))
        .env("SOUK_FSLOG_OUT", &log)
        .status()
        .map_err(|e| format!("cannot start the workload: {e}"))?;
    if !status.success() {
        return Err(format!("the workload failed: {status}"));
    }
    let events = record::read(&log, &store)?;
    if !events.iter().any(|e| matches!(e, Event::Mark(_))) {
        return Err("the record has no marks: the shim did not load".into());
    }
    seen_everything(&events, &store, work_dir)?;
    Ok(events)
}

#[derive(Default)]
struct Totals {
    drop: usize,
    prefix: usize,
    pages: usize,
    kept: usize,
    lost: usize,
}

impl Totals {
    fn add(&mut self, tear: Tear, outcome: check::Outcome) {
        match tear {
            Tear::Drop => self.drop += 1,
            Tear::Prefix => self.prefix += 1,
            Tear::Pages => self.pages += 1,
        }
        self.kept += outcome.in_flight_kept;
        self.lost += outcome.in_flight_lost;
    }
}

/// Where one image is cut, and how.
struct Cut {
    seed: u64,
    point: usize,
    tear: Tear,
}

/// Half the cuts fall anywhere; half just before or after a sync, rename or
/// unlink, where a store's ordering mistakes show.
fn cuts(events: &[Event], seeds: u64, seed: u64) -> Vec<Cut> {
    let edges: Vec<usize> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            matches!(
                e,
                Event::Sync { .. } | Event::Rename { .. } | Event::Unlink { .. }
            )
        })
        .map(|(i, _)| i)
        .collect();
    let mut cuts: Vec<Cut> = (0..seeds)
        .map(|n| {
            let seed = seed.wrapping_mul(1_000_003).wrapping_add(n);
            let mut rng = StdRng::seed_from_u64(seed);
            let point = if edges.is_empty() || rng.gen_bool(0.5) {
                rng.gen_range(0..=events.len())
            } else {
                edges[rng.gen_range(0..edges.len())] + rng.gen_range(0..=1)
            };
            let tear = [Tear::Drop, Tear::Prefix, Tear::Pages][rng.gen_range(0..3)];
            Cut { seed, point, tear }
        })
        .collect();
    cuts.sort_by_key(|c| c.point);
    cuts
}

/// Replays the whole record with every write applied and compares it with
/// the real directory: a change the shim missed (a call it does not wrap)
/// shows here instead of weakening every image.
fn seen_everything(events: &[Event], store: &Path, work: &Path) -> Result<(), String> {
    let mut disk = Disk::new();
    for (n, event) in events.iter().enumerate() {
        disk.apply(event)?;
        if n % 4096 == 0 {
            disk.forget_unreachable();
        }
    }
    let replayed = work.join("replayed");
    disk.current_image(&replayed, &mut StdRng::seed_from_u64(0))?;
    let (real, model) = (tree(store)?, tree(&replayed)?);
    if real != model {
        let differ: Vec<_> = real
            .keys()
            .chain(model.keys())
            .filter(|k| real.get(*k) != model.get(*k))
            .collect();
        return Err(format!(
            "the record does not rebuild the store: {differ:?} differ"
        ));
    }
    std::fs::remove_dir_all(&replayed).map_err(|e| e.to_string())
}

/// Every file and directory under `root`, with file contents.
fn tree(root: &Path) -> Result<std::collections::BTreeMap<PathBuf, Option<Vec<u8>>>, String> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).map_err(|e| e.to_string())? {
            let path = entry.map_err(|e| e.to_string())?.path();
            let relative = path
                .strip_prefix(root)
                .map_err(|e| e.to_string())?
                .to_path_buf();
            if path.is_dir() {
                out.insert(relative, None);
                stack.push(path);
            } else {
                out.insert(
                    relative,
                    Some(std::fs::read(&path).map_err(|e| e.to_string())?),
                );
            }
        }
    }
    Ok(out)
}

/// Builds the shim with the C compiler every souk build already needs (the
/// allocator's crate compiles C); `None` when there is none.
fn build_shim(dir: &Path) -> Result<Option<PathBuf>, String> {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/crash_sim/fslog.c");
    let out = dir.join("fslog.so");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_owned());
    let status = std::process::Command::new(&cc)
        .args(["-shared", "-fPIC", "-O2", "-Wall", "-o"])
        .arg(&out)
        .arg(source)
        .args(["-ldl", "-lpthread"])
        .status();
    match status {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot run {cc}: {e}")),
        Ok(s) if s.success() => Ok(Some(out)),
        Ok(s) => Err(format!("{cc} could not build the shim: {s}")),
    }
}

fn skip(why: &str) -> Result<(), String> {
    if std::env::var("SOUK_REQUIRE_SERVICES").is_ok_and(|v| v == "1") {
        return Err(format!("{why} (SOUK_REQUIRE_SERVICES=1)"));
    }
    println!("skipped: {why}");
    Ok(())
}
