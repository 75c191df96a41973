//! souk's mail (the `Mailer` port of `souk_actors::mail`): letters written
//! from the templates in `templates/` and sent as `.eml` files under a
//! directory (the default: real messages without a server) or over SMTP.

mod file;
mod message;
mod smtp;
mod templates;
#[cfg(feature = "testing")]
pub mod testing;

use std::path::PathBuf;

use lettre::message::Mailbox;
use souk_actors::mail::{Letter, MailError, Mailer};

pub use smtp::{Security, SmtpSettings};
pub use templates::{Templates, Written};

/// Where letters go.
#[derive(Debug, Clone)]
pub enum Transport {
    /// `.eml` files under this directory.
    Files(PathBuf),
    Smtp(SmtpSettings),
}

enum Route {
    Files(PathBuf),
    Smtp(smtp::Smtp),
}

/// Writes letters and sends them by one transport.
pub struct Mail {
    from: Mailbox,
    templates: Templates,
    route: Route,
}

impl Mail {
    /// `from`: the sender, as `Name <address>` or an address alone.
    pub fn new(from: &str, transport: Transport) -> Result<Self, String> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| format!("mail.from `{from}`: {e}"))?;
        let route = match transport {
            Transport::Files(dir) => Route::Files(dir),
            Transport::Smtp(settings) => Route::Smtp(smtp::Smtp::new(&settings)?),
        };
        Ok(Self {
            from,
            templates: Templates::load()?,
            route,
        })
    }
}

#[async_trait::async_trait]
impl Mailer for Mail {
    async fn send(&self, letter: &Letter) -> Result<(), MailError> {
        let written = self.templates.write(letter)?;
        let message = message::build(&self.from, letter, written)?;
        match &self.route {
            Route::Files(dir) => {
                let name = file_name(&letter.message_id);
                file::write(dir, &name, &message).await.map(|_| ())
            }
            Route::Smtp(smtp) => smtp.send(message).await,
        }
    }
}

/// A file name from a `Message-ID` (`<id@host>` → `id`), kept to
/// characters safe in a path.
fn file_name(message_id: &str) -> String {
    let id = message_id.trim_matches(['<', '>']);
    let id = id.split('@').next().unwrap_or(id);
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

/// Whether `from` is a valid sender (`Name <address>` or an address).
pub fn check_sender(from: &str) -> Result<(), String> {
    from.parse::<Mailbox>()
        .map(|_| ())
        .map_err(|e| format!("`{from}` is not a valid sender: {e}"))
}
