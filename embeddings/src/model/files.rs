//! The model directory: where it lives and checking every file in it
//! against its pinned SHA-256. Fetching it is an explicit step (`fetch`).

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::ModelError;

/// The BERT configuration file in a model directory.
pub const CONFIG_FILE: &str = "config.json";
/// The tokenizer file in a model directory.
pub const TOKENIZER_FILE: &str = "tokenizer.json";
/// The weights file in a model directory.
pub const WEIGHTS_FILE: &str = "model.safetensors";
/// Pinned SHA-256 of all-MiniLM-L6-v2's `model.safetensors`.
pub const MODEL_SHA256: &str = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db";

/// Every file the model is loaded from, with its pinned SHA-256 (as shipped
/// in the pinned package, see `fetch`).
pub const PINNED_FILES: [(&str, &str); 3] = [
    (
        CONFIG_FILE,
        "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    ),
    (
        TOKENIZER_FILE,
        "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    ),
    (WEIGHTS_FILE, MODEL_SHA256),
];

/// Environment variable that overrides the model directory.
pub const MODEL_DIR_ENV: &str = "SOUK_MODEL_DIR";

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
/// needs (non-empty). Cheap: nothing is hashed.
pub fn is_present(dir: &Path) -> bool {
    PINNED_FILES
        .iter()
        .all(|(f, _)| std::fs::metadata(dir.join(f)).is_ok_and(|m| m.is_file() && m.len() > 0))
}

/// Checks that `dir` holds every model file with its pinned SHA-256
/// ([`PINNED_FILES`]). Reads about 91 MB (a few tenths of a second).
pub fn verify(dir: &Path) -> Result<(), ModelError> {
    for (file, _) in PINNED_FILES {
        let path = dir.join(file);
        if !path.is_file() {
            return Err(ModelError::Missing { path });
        }
    }
    for (file, expected) in PINNED_FILES {
        let path = dir.join(file);
        let actual = sha256_hex(&path).map_err(|source| ModelError::Read {
            path: path.clone(),
            source,
        })?;
        if actual != expected {
            return Err(ModelError::Checksum {
                path,
                expected,
                actual,
            });
        }
    }
    Ok(())
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
        for (file, _) in PINNED_FILES {
            std::fs::write(dir.path().join(file), b"x").unwrap();
        }
        assert!(is_present(dir.path()));
        let err = verify(dir.path()).unwrap_err();
        assert!(matches!(err, ModelError::Checksum { .. }), "{err}");
        assert!(err.to_string().contains("souk model fetch"), "{err}");
    }
}
