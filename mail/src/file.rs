//! The default transport: each message written as an `.eml` file (what an
//! SMTP server would have received) under a directory, named by its
//! outbox id, so the demo shows real mail without a server.

use std::path::{Path, PathBuf};

use lettre::Message;
use souk_actors::mail::MailError;

/// Writes `message` durably as `<dir>/<name>.eml` (through a temporary
/// file, so a reader never sees half a message).
pub async fn write(dir: &Path, name: &str, message: &Message) -> Result<PathBuf, MailError> {
    let bytes = message.formatted();
    let (dir, name) = (dir.to_owned(), name.to_owned());
    let written = tokio::task::spawn_blocking(move || -> std::io::Result<PathBuf> {
        use std::io::Write;
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.eml"));
        let mut tmp = tempfile_in(&dir, &name)?;
        tmp.1.write_all(&bytes)?;
        tmp.1.sync_all()?;
        std::fs::rename(&tmp.0, &path)?;
        std::fs::File::open(&dir)?.sync_all()?;
        Ok(path)
    })
    .await
    .map_err(|e| MailError::Transient(e.to_string()))?;
    written.map_err(|e| MailError::Transient(format!("writing the .eml file: {e}")))
}

fn tempfile_in(dir: &Path, name: &str) -> std::io::Result<(PathBuf, std::fs::File)> {
    let path = dir.join(format!(".{name}.eml.tmp"));
    let file = std::fs::File::create(&path)?;
    Ok((path, file))
}
