//! Where the embedded store lives in the data dir, and what an older souk
//! left there.

use std::path::{Path, PathBuf};

/// The store's directory under the data dir.
const STORE: &str = "store";

/// The file of the store souk kept before the store moved to fjall: a redb
/// file with a write-ahead log beside it.
const OLD_STORE: &str = "souk.redb";

/// The store's directory under `data_dir`. Refuses a data dir that holds only
/// an older souk's store, which this souk cannot read: starting a fresh store
/// beside it would look like every account and order had vanished.
pub fn path(data_dir: &Path) -> anyhow::Result<PathBuf> {
    let store = data_dir.join(STORE);
    let old = data_dir.join(OLD_STORE);
    if old.exists() && !store.exists() {
        anyhow::bail!(
            "{} holds a store written by an older souk (redb with a write-ahead log), \
             which this version cannot read. Keep running the older version on it, or \
             start this one on a new data dir (server.data_dir); the old files are left as they are",
            data_dir.display()
        );
    }
    Ok(store)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_data_dir_with_only_an_older_store_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().expect("a temp dir");
        std::fs::write(dir.path().join(OLD_STORE), b"old").expect("an old store file");
        let err = path(dir.path()).expect_err("refused").to_string();
        assert!(err.contains("older souk"), "{err}");
        assert_eq!(
            std::fs::read(dir.path().join(OLD_STORE)).expect("still there"),
            b"old"
        );
        assert!(!dir.path().join(STORE).exists());
    }

    #[test]
    fn a_new_or_current_data_dir_gets_the_store_dir() {
        let dir = tempfile::tempdir().expect("a temp dir");
        assert_eq!(path(dir.path()).expect("a path"), dir.path().join(STORE));
    }
}
