//! `souk admin …`: operator commands that work on the configured store directly.

use anyhow::{Context, bail};
use souk_actors::StoreError;
use souk_models::{DisplayName, Email, Password, Role, User};
use time::OffsetDateTime;

use crate::config::Config;

/// Creates an account of any role, admins included (they cannot self-register).
/// Runs against the configured store; on the embedded one stop the server
/// first (it allows one process at a time).
pub async fn create_user(
    config: &Config,
    role: Role,
    email: &str,
    name: &str,
    password: &str,
) -> anyhow::Result<souk_models::UserId> {
    let email = Email::parse(email).context("--email")?;
    let name = DisplayName::parse(name).context("--name")?;
    let password = Password::parse(password).context("password")?;
    std::fs::create_dir_all(&config.server.data_dir)?;
    let opened = crate::store::NodeStore::open(config).await;
    let store = match config.store.backend()? {
        crate::config::Backend::Embedded => opened.context(
            "an embedded store takes one process at a time: stop `souk serve` on this data dir first",
        )?,
        crate::config::Backend::Postgres(_) | crate::config::Backend::Scylla(_) => opened?,
    };
    let hash = souk_gateway::auth::password::hash(password.expose().to_owned())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let now = OffsetDateTime::now_utc();
    let user = User::new(email, name, role, hash, now);
    let created = store.ports().create_user(&user).await;
    store.close().await;
    match created {
        Ok(()) => Ok(user.id),
        Err(StoreError::Conflict(_)) => bail!("{} is already registered", user.email),
        Err(e) => Err(e.into()),
    }
}
