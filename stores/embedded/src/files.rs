//! What the store does beyond fjall to keep its directory openable after a
//! machine crash. Both gaps were found by the crash simulation
//! (`tests/crash_sim`), which keeps only what POSIX promises a sync makes
//! durable.

use std::path::Path;

/// fjall's folder of keyspaces, one folder each.
const KEYSPACES: &str = "keyspaces";

/// Makes the names in the store's [`KEYSPACES`] folder durable. fjall syncs
/// a new keyspace's own folder but not its name there: without this, a
/// machine crash after the first open could leave a store whose tables have
/// vanished, and whose journal then replays into nothing.
pub fn sync_keyspaces(store: &Path) -> std::io::Result<()> {
    sync_dir(&store.join(KEYSPACES))
}

/// Makes the names in directory `dir` durable.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// fjall's files in the store's directory: its lock, its marker (written
/// last when a database is created) and its journals' suffix.
const LOCK: &str = "lock";
const VERSION: &str = "version";
const JOURNAL_SUFFIX: &str = "jnl";

/// fjall creates a database in steps and writes its `version` marker last; a
/// crash before the marker is synced leaves a journal and a folder that fjall
/// then refuses to create over ("File exists"), so the node could not start
/// again. Nothing was acknowledged in such a store (its creation never
/// returned), so those pieces are removed and the store is created afresh.
/// fjall's lock is held meanwhile, so a store another process is creating
/// right now is left alone.
pub fn clear_unfinished_creation(dir: &Path) -> std::io::Result<()> {
    if !dir.exists() || dir.join(VERSION).exists() {
        return Ok(());
    }
    let lock = match std::fs::File::options()
        .read(true)
        .write(true)
        .open(dir.join(LOCK))
    {
        Ok(lock) => Some(lock),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    if let Some(lock) = &lock
        && lock.try_lock().is_err()
    {
        // Another process has it: fjall's open says so.
        return Ok(());
    }
    let mut cleared = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.file_name().is_some_and(|name| name == KEYSPACES) {
            std::fs::remove_dir_all(&path)?;
        } else if path.extension().is_some_and(|ext| ext == JOURNAL_SUFFIX) {
            std::fs::remove_file(&path)?;
        } else {
            continue;
        }
        cleared.push(path);
    }
    if !cleared.is_empty() {
        tracing::warn!(
            store = %dir.display(),
            removed = ?cleared,
            "the store's creation was cut short (no version marker); creating it afresh"
        );
        sync_dir(dir)?;
    }
    Ok(())
}
