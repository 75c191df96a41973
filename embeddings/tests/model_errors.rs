//! Loading from broken model directories gives clear errors, never a panic.
// Test code: clippy.toml allows unwrap/expect in `#[test]` fns only, not in helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use souk_embeddings::model::{
    CONFIG_FILE, Embedder, ModelError, TOKENIZER_FILE, WEIGHTS_FILE, default_model_dir, fetch,
};

fn installed_model() -> PathBuf {
    let dir = default_model_dir();
    fetch(&dir).expect("fetch the model (souk model fetch)");
    dir
}

/// A temporary model directory with the real config and tokenizer.
fn partial_copy() -> tempfile::TempDir {
    let source = installed_model();
    let tmp = tempfile::tempdir().unwrap();
    for file in [CONFIG_FILE, TOKENIZER_FILE] {
        std::fs::copy(source.join(file), tmp.path().join(file)).unwrap();
    }
    tmp
}

fn load_error(dir: &Path) -> ModelError {
    match Embedder::load(dir) {
        Ok(_) => panic!("loading {} should fail", dir.display()),
        Err(e) => e,
    }
}

#[test]
fn empty_directory_names_the_fetch_command() {
    let tmp = tempfile::tempdir().unwrap();
    let err = load_error(tmp.path());
    let message = err.to_string();
    assert!(matches!(err, ModelError::Missing { .. }), "{message}");
    assert!(message.contains("souk model fetch"), "{message}");
}

#[test]
fn missing_directory_is_an_error() {
    let err = load_error(Path::new("/nonexistent/souk/model"));
    assert!(err.to_string().contains("souk model fetch"), "{err}");
}

#[test]
fn missing_weights_are_reported() {
    let tmp = partial_copy();
    let err = load_error(tmp.path());
    assert!(
        matches!(err, ModelError::Missing { ref path } if path.ends_with(WEIGHTS_FILE)),
        "{err}"
    );
}

#[test]
fn truncated_weights_give_an_error() {
    let tmp = partial_copy();
    let weights = std::fs::read(installed_model().join(WEIGHTS_FILE)).unwrap();
    for cut in [0, 7, 1000, weights.len() / 2, weights.len() - 1] {
        std::fs::write(tmp.path().join(WEIGHTS_FILE), &weights[..cut]).unwrap();
        let err = load_error(tmp.path());
        let message = err.to_string();
        assert!(
            matches!(err, ModelError::Invalid { .. }),
            "cut {cut}: {message}"
        );
        assert!(message.contains("souk model fetch"), "{message}");
    }
}

#[test]
fn garbage_weights_give_an_error() {
    let tmp = partial_copy();
    std::fs::write(tmp.path().join(WEIGHTS_FILE), vec![0xAB; 4096]).unwrap();
    assert!(matches!(load_error(tmp.path()), ModelError::Invalid { .. }));
}

#[test]
fn broken_config_and_tokenizer_give_errors() {
    let tmp = partial_copy();
    std::fs::write(tmp.path().join(CONFIG_FILE), b"{ not json").unwrap();
    let err = load_error(tmp.path());
    assert!(
        matches!(err, ModelError::Invalid { ref path, .. } if path.ends_with(CONFIG_FILE)),
        "{err}"
    );

    let tmp = partial_copy();
    std::fs::write(tmp.path().join(TOKENIZER_FILE), b"[]").unwrap();
    let err = load_error(tmp.path());
    assert!(
        matches!(err, ModelError::Invalid { ref path, .. } if path.ends_with(TOKENIZER_FILE)),
        "{err}"
    );
}
