//! Mail (a port): what souk sends to whom, and the worker that sends the
//! outbox. The outbox (`store::OutboxStore`) holds each message from the
//! write that caused it; [`MailWorker`] turns it into a [`Letter`] when
//! it is due and hands it to a [`Mailer`] (`souk-mail`: `.eml` files by
//! default, or SMTP), retrying with backoff and sending each message at
//! most once.

mod compose;
mod letters;
#[cfg(test)]
mod tests;
mod worker;

pub use letters::{for_new_order, for_order_entry};
pub use worker::{MailPolicy, MailWorker};

use serde::Serialize;
use souk_models::Email;

/// One message to send: its template and what the template shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Letter {
    /// `<id@souk>`, from the outbox message: the same on every try, so a
    /// server that already has the message can tell.
    pub message_id: String,
    pub to: Email,
    pub to_name: String,
    pub template: Template,
    /// The template's data (a JSON object).
    pub data: serde_json::Value,
}

/// The messages souk sends; each has a subject, a text and an HTML
/// template of the same name in `souk-mail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Template {
    OrderPlaced,
    PaymentReceived,
    Shipped,
    Delivered,
    Refund,
    ExpiryWarning,
    LowStock,
    /// Welcome, with the link that verifies the email address.
    VerifyEmail,
    PasswordReset,
}

impl Template {
    pub const ALL: [Template; 9] = [
        Template::OrderPlaced,
        Template::PaymentReceived,
        Template::Shipped,
        Template::Delivered,
        Template::Refund,
        Template::ExpiryWarning,
        Template::LowStock,
        Template::VerifyEmail,
        Template::PasswordReset,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Template::OrderPlaced => "order_placed",
            Template::PaymentReceived => "payment_received",
            Template::Shipped => "shipped",
            Template::Delivered => "delivered",
            Template::Refund => "refund",
            Template::ExpiryWarning => "expiry_warning",
            Template::LowStock => "low_stock",
            Template::VerifyEmail => "verify_email",
            Template::PasswordReset => "password_reset",
        }
    }
}

/// Why a letter was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// Worth trying again later: the server could not be reached, or
    /// answered a temporary (4xx) refusal.
    #[error("temporary failure: {0}")]
    Transient(String),
    /// Trying again would not help: the server refused the message or
    /// its recipient (5xx), or the letter cannot be written.
    #[error("permanent failure: {0}")]
    Permanent(String),
}

/// Sends letters: writes them from their templates and delivers them.
#[async_trait::async_trait]
pub trait Mailer: Send + Sync {
    /// Delivers `letter`. `Ok` once the transport has accepted it.
    async fn send(&self, letter: &Letter) -> Result<(), MailError>;
}
