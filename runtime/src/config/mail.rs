//! The `[mail]` section: where letters go (`.eml` files by default, or an
//! SMTP server), who they are from, and how the outbox retries; and the
//! `[notifications]` section: how long the inbox keeps what users were told.

use std::path::PathBuf;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use souk_actors::mail::MailPolicy;
use souk_mail::{Security, SmtpSettings, Transport};

use super::{ConfigError, invalid};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TransportName {
    /// `.eml` files under `<data_dir>/mail`.
    File,
    Smtp,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    pub transport: TransportName,
    /// The sender: `Name <address>` or an address.
    pub from: String,
    /// The marketplace's name in letters.
    pub site_name: String,
    /// The storefront's public address, for links in letters; empty: none.
    pub public_url: String,
    pub max_attempts: u32,
    pub first_retry_secs: u64,
    pub max_retry_secs: u64,
    pub send_timeout_secs: u64,
    pub concurrency: usize,
    pub retention_days: u64,
    pub smtp: SmtpConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: Security,
    pub username: String,
    pub password: SecretString,
    /// A PEM file of a CA to trust besides the public roots; empty: none.
    pub ca_file: String,
}

impl MailConfig {
    /// The transport, reading `smtp.ca_file` if set.
    pub fn transport(&self, data_dir: &std::path::Path) -> Result<Transport, ConfigError> {
        if self.transport == TransportName::File {
            return Ok(Transport::Files(data_dir.join("mail")));
        }
        let smtp = &self.smtp;
        let ca_pem =
            match smtp.ca_file.trim() {
                "" => None,
                path => Some(std::fs::read(PathBuf::from(path)).map_err(|e| {
                    invalid("mail.smtp.ca_file", format!("cannot read {path}: {e}"))
                })?),
            };
        let user = smtp.username.trim();
        Ok(Transport::Smtp(SmtpSettings {
            host: smtp.host.trim().to_owned(),
            port: smtp.port,
            security: smtp.tls,
            username: (!user.is_empty()).then(|| user.to_owned()),
            password: (!smtp.password.expose_secret().is_empty()).then(|| smtp.password.clone()),
            ca_pem,
            timeout: Duration::from_secs(self.send_timeout_secs),
        }))
    }

    pub fn policy(&self) -> MailPolicy {
        let url = self.public_url.trim().trim_end_matches('/');
        let send_timeout = Duration::from_secs(self.send_timeout_secs);
        MailPolicy {
            site_name: self.site_name.trim().to_owned(),
            site_url: (!url.is_empty()).then(|| url.to_owned()),
            max_attempts: self.max_attempts,
            first_retry: Duration::from_secs(self.first_retry_secs),
            max_retry: Duration::from_secs(self.max_retry_secs),
            // A try still under way after this long is taken as interrupted.
            lease: send_timeout * 2 + Duration::from_secs(60),
            send_timeout,
            poll: Duration::from_secs(1),
            concurrency: self.concurrency,
            retention: Duration::from_secs(self.retention_days * 86_400),
        }
    }
}

/// The `[notifications]` section: how long the inbox keeps what users
/// were told.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationsConfig {
    pub retention_days: u64,
}

impl NotificationsConfig {
    pub fn retention(&self) -> Duration {
        Duration::from_secs(self.retention_days * 86_400)
    }
}

pub(super) fn validate(
    mail: &MailConfig,
    notifications: &NotificationsConfig,
) -> Result<(), ConfigError> {
    souk_mail::check_sender(&mail.from).map_err(|e| invalid("mail.from", e))?;
    if mail.site_name.trim().is_empty() || mail.site_name.len() > 80 {
        return Err(invalid("mail.site_name", "must be 1 to 80 characters"));
    }
    let url = mail.public_url.trim();
    if !(url.is_empty() || url.starts_with("https://") || url.starts_with("http://")) {
        return Err(invalid(
            "mail.public_url",
            "must be empty or an http(s) URL, e.g. https://shop.example.com",
        ));
    }
    if !(1..=50).contains(&mail.max_attempts) {
        return Err(invalid("mail.max_attempts", "must be between 1 and 50"));
    }
    if mail.first_retry_secs == 0 || mail.first_retry_secs > mail.max_retry_secs {
        return Err(invalid(
            "mail.first_retry_secs",
            "must be at least 1 and at most mail.max_retry_secs",
        ));
    }
    if mail.max_retry_secs > 86_400 {
        return Err(invalid("mail.max_retry_secs", "must be at most 86400"));
    }
    if !(1..=600).contains(&mail.send_timeout_secs) {
        return Err(invalid(
            "mail.send_timeout_secs",
            "must be between 1 and 600",
        ));
    }
    if !(1..=256).contains(&mail.concurrency) {
        return Err(invalid("mail.concurrency", "must be between 1 and 256"));
    }
    if !(1..=3650).contains(&mail.retention_days) {
        return Err(invalid("mail.retention_days", "must be between 1 and 3650"));
    }
    if !(1..=3650).contains(&notifications.retention_days) {
        return Err(invalid(
            "notifications.retention_days",
            "must be between 1 and 3650",
        ));
    }
    if mail.transport == TransportName::Smtp {
        if mail.smtp.host.trim().is_empty() {
            return Err(invalid(
                "mail.smtp.host",
                "must be set when mail.transport = \"smtp\"",
            ));
        }
        if mail.smtp.port == 0 {
            return Err(invalid("mail.smtp.port", "must be a port number"));
        }
    }
    Ok(())
}
