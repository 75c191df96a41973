//! A node that listens beyond loopback never keeps the published demo
//! password: the first time it does, every demo account gets one new random
//! password, printed once at that start.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use souk_actors::Store;
use souk_models::Email;
use time::OffsetDateTime;

use super::{SEEDED, catalog};

/// Set once the demo accounts' passwords were replaced.
const REPLACED: &str = "demo_passwords_replaced";

/// Which password the demo accounts have at this start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DemoPassword {
    /// [`super::DEMO_PASSWORD`]: the node listens on loopback only.
    Published,
    /// Replaced just now; shown this once.
    New(String),
    /// Replaced at an earlier start, and shown then.
    Replaced,
}

/// True when `listen` can be reached from other machines.
fn is_public(listen: SocketAddr) -> bool {
    !listen.ip().is_loopback()
}

/// On a public listener, replaces the published password of every demo
/// account (once per data dir); does nothing to a store without demo data.
pub async fn secure(store: &Arc<dyn Store>, listen: SocketAddr) -> anyhow::Result<DemoPassword> {
    if store.get_meta(REPLACED).await?.is_some() {
        return Ok(DemoPassword::Replaced);
    }
    if !is_public(listen) || store.get_meta(SEEDED).await?.is_none() {
        return Ok(DemoPassword::Published);
    }
    let password = uuid::Uuid::new_v4().simple().to_string();
    let hash = souk_gateway::auth::password::hash(password.clone())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    for email in demo_emails()? {
        let Some(mut user) = store.find_user_by_email(&email).await? else {
            continue;
        };
        user.password_hash.clone_from(&hash);
        user.updated_at = OffsetDateTime::now_utc();
        store
            .update_user(&user)
            .await
            .with_context(|| format!("cannot replace the password of {email}"))?;
    }
    store.put_meta(REPLACED, "1").await?;
    Ok(DemoPassword::New(password))
}

/// Every account the demo seeds.
fn demo_emails() -> anyhow::Result<Vec<Email>> {
    let mut emails = vec![
        Email::parse("customer@example.com")?,
        Email::parse("admin@example.com")?,
    ];
    emails.extend(
        catalog::demo_catalog()?
            .sellers
            .into_iter()
            .map(|s| s.email),
    );
    Ok(emails)
}
