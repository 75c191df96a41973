//! The mail outbox: messages waiting to be sent, each stored in the same
//! durable write as the event that causes it (an order's timeline entry is
//! stored with its mail), then sent by the mail worker (`crate::mail`).

use serde::{Deserialize, Serialize};
use souk_models::{OrderId, ProductId, Timestamp, UserId};
use uuid::Uuid;

use super::StoreError;

/// One message to send to one account, and how sending it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMail {
    /// Time-ordered (UUIDv7); the message's `Message-ID` is made from it, so
    /// a receiving server can tell a message it already has.
    pub id: Uuid,
    /// The account mailed; its address is read when the mail is sent.
    pub to: UserId,
    pub about: MailAbout,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: Timestamp,
    pub state: MailState,
    /// Tries so far (a try that is under way counts).
    pub attempts: u32,
    /// When the worker next looks at it: the next try while pending, the
    /// end of a try's lease while sending. Unused once finished.
    #[serde(with = "time::serde::rfc3339")]
    pub due_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub finished_at: Option<Timestamp>,
}

impl OutboxMail {
    /// A new message to send from `due_at` on.
    pub fn new(to: UserId, about: MailAbout, now: Timestamp, due_at: Timestamp) -> Self {
        Self {
            id: Uuid::now_v7(),
            to,
            about,
            created_at: now,
            state: MailState::Pending,
            attempts: 0,
            due_at,
            last_error: None,
            finished_at: None,
        }
    }

    /// Whether the worker still has something to do with it (it is in the
    /// due index).
    pub fn is_open(&self) -> bool {
        matches!(self.state, MailState::Pending | MailState::Sending)
    }
}

/// Where a message is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MailState {
    /// Waiting for its first or next try.
    Pending,
    /// A worker is sending it. Found still sending after its lease, it is
    /// not tried again (it may have gone out): it becomes `failed`.
    Sending,
    /// The mail server accepted it.
    Sent,
    /// Refused for good, out of tries, or interrupted while sending.
    Failed,
    /// No longer applies (an expiry warning for an order since paid, an
    /// account since deleted); not sent.
    Dropped,
}

impl MailState {
    pub fn as_str(self) -> &'static str {
        match self {
            MailState::Pending => "pending",
            MailState::Sending => "sending",
            MailState::Sent => "sent",
            MailState::Failed => "failed",
            MailState::Dropped => "dropped",
        }
    }
}

/// What a message is about: enough to write it when it is sent. An order's
/// mail names the timeline entry that caused it, whose content never
/// changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MailAbout {
    /// The timeline entry `seq` of `order_id` (placed, paid, shipped,
    /// delivered, refunded…), to its buyer. `at` is the entry's time: mail
    /// for an entry that lost its place to another is dropped, not sent.
    Order {
        order_id: OrderId,
        seq: u64,
        #[serde(with = "time::serde::rfc3339")]
        at: Timestamp,
    },
    /// The order is still unpaid and its deadline near; dropped if it is
    /// not awaiting payment any more when due.
    ExpiryWarning { order_id: OrderId },
    /// The link that proves the account reads its email. `token` is the
    /// secret (only its hash is stored elsewhere): cleared once the letter
    /// is finished.
    VerifyEmail {
        token: String,
        #[serde(with = "time::serde::rfc3339")]
        expires_at: Timestamp,
    },
    /// The link that sets a forgotten password; `token` as for
    /// `VerifyEmail`.
    PasswordReset {
        token: String,
        #[serde(with = "time::serde::rfc3339")]
        expires_at: Timestamp,
    },
    /// A seller's product dropped under its low-stock threshold.
    LowStock {
        product_id: ProductId,
        title: String,
        available: u64,
        threshold: u64,
    },
}

impl MailAbout {
    /// A short stable name, for metrics and the admin list.
    pub fn name(&self) -> &'static str {
        match self {
            MailAbout::Order { .. } => "order",
            MailAbout::ExpiryWarning { .. } => "expiry_warning",
            MailAbout::VerifyEmail { .. } => "verify_email",
            MailAbout::PasswordReset { .. } => "password_reset",
            MailAbout::LowStock { .. } => "low_stock",
        }
    }

    /// The same without the secret it carries, for a letter that is done.
    pub fn scrubbed(&self) -> Self {
        match self {
            MailAbout::VerifyEmail { expires_at, .. } => MailAbout::VerifyEmail {
                token: String::new(),
                expires_at: *expires_at,
            },
            MailAbout::PasswordReset { expires_at, .. } => MailAbout::PasswordReset {
                token: String::new(),
                expires_at: *expires_at,
            },
            other => other.clone(),
        }
    }
}

#[async_trait::async_trait]
pub trait OutboxStore: Send + Sync {
    /// Stores new messages (their causes already stored). A message whose
    /// id is stored already is left as it is.
    async fn enqueue_mail(&self, mail: &[OutboxMail]) -> Result<(), StoreError>;
    /// Pending and sending messages due by `now`, soonest first.
    async fn due_mail(&self, now: Timestamp, limit: usize) -> Result<Vec<OutboxMail>, StoreError>;
    /// Stores `next` if the message is still exactly `current` (so two
    /// workers never both take one message); `false` if it changed.
    async fn update_mail(
        &self,
        current: &OutboxMail,
        next: &OutboxMail,
    ) -> Result<bool, StoreError>;
    async fn get_mail(&self, id: Uuid) -> Result<Option<OutboxMail>, StoreError>;
    /// Every message, newest first, older than `before`.
    async fn list_mail(
        &self,
        before: Option<Uuid>,
        limit: usize,
    ) -> Result<Vec<OutboxMail>, StoreError>;
    /// Deletes finished messages (sent, failed, dropped) created before
    /// `before`, at most `limit`; returns how many.
    async fn purge_mail(&self, before: Timestamp, limit: usize) -> Result<usize, StoreError>;
}
