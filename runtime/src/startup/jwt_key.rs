//! The key access tokens are signed with: the configured one, or one made
//! once and kept (owner-only) in the data dir, so sessions survive restarts.

use std::path::Path;

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};

use crate::config::Config;

/// The configured JWT key, or one generated once and kept in the data dir so
/// sessions survive restarts.
pub(super) fn jwt_secret(config: &Config, data_dir: &Path) -> anyhow::Result<SecretString> {
    let configured = config.auth.jwt_secret.expose_secret();
    if !configured.is_empty() {
        return Ok(SecretString::from(configured.to_owned()));
    }
    let path = data_dir.join("jwt_secret");
    if let Ok(existing) = std::fs::read_to_string(&path)
        && existing.trim().len() >= 32
    {
        return Ok(SecretString::from(existing.trim().to_owned()));
    }
    let secret =
        uuid::Uuid::new_v4().simple().to_string() + &uuid::Uuid::new_v4().simple().to_string();
    write_private(&path, &secret).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(SecretString::from(secret))
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}
