//! The notification inbox: what the `user:*` and `seller:*` topics are
//! told (an order's progress, a payment, a seller's new order, a return
//! asked for, low stock) is kept in the store, so someone who was offline
//! finds it later. The event bus hands each such event, on the node that
//! published it, to [`Inbox`]; a writer task stores them in batches.

mod titles;
mod writer;

use std::sync::Arc;

use souk_models::{Notification, NotificationId, NotificationKind, Timestamp};
use tokio::sync::mpsc;

use crate::events::{Keeper, Topic};
use crate::store::Store;

pub use writer::{InboxWriter, spawn_purge as spawn_inbox_purge};

/// Notifications waiting to be stored, at most; past this they are
/// dropped and counted (`souk_notifications_dropped_total`).
const QUEUE: usize = 10_000;

/// Keeps the events users are told as notifications.
pub struct Inbox {
    queue: mpsc::Sender<Notification>,
}

impl Inbox {
    /// The inbox and its writer (which stores what the inbox takes).
    pub fn start(store: Arc<dyn Store>) -> (Arc<Self>, InboxWriter) {
        let (queue, taken) = mpsc::channel(QUEUE);
        (Arc::new(Self { queue }), InboxWriter::start(store, taken))
    }
}

impl Keeper for Inbox {
    fn keep(&self, topic: &Topic, kind: &str, data: &serde_json::value::RawValue, at: Timestamp) {
        let (Topic::User(user) | Topic::Seller(user)) = topic else {
            return;
        };
        let Some(kind) = NotificationKind::of_event(kind) else {
            return;
        };
        let data: serde_json::Value = serde_json::from_str(data.get()).unwrap_or_default();
        let note = Notification {
            id: NotificationId::new(),
            user_id: *user,
            kind,
            title: titles::title(kind, &data),
            data,
            created_at: at,
            read_at: None,
        };
        if self.queue.try_send(note).is_err() {
            metrics::counter!("souk_notifications_dropped_total").increment(1);
        }
    }
}
