//! Users' kept notifications (their inbox), newest first.

use souk_models::{Notification, NotificationId, Timestamp, UserId};

use super::StoreError;

#[async_trait::async_trait]
pub trait NotificationStore: Send + Sync {
    /// Stores new notifications (of any users); one whose id is stored
    /// already is left as it is.
    async fn add_notifications(&self, notes: &[Notification]) -> Result<(), StoreError>;
    /// A user's notifications, newest first, older than `before`.
    async fn list_notifications(
        &self,
        user: UserId,
        before: Option<NotificationId>,
        limit: usize,
    ) -> Result<Vec<Notification>, StoreError>;
    /// How many of a user's notifications are unread, counting at most `cap`.
    async fn count_unread(&self, user: UserId, cap: usize) -> Result<usize, StoreError>;
    /// Marks the user's notifications `ids` (all of them when `None`) read
    /// at `at`; ids of other users' or unknown notifications are ignored.
    /// Returns how many were unread.
    async fn mark_read(
        &self,
        user: UserId,
        ids: Option<&[NotificationId]>,
        at: Timestamp,
    ) -> Result<usize, StoreError>;
    /// Deletes notifications made before `before`, at most `limit`;
    /// returns how many.
    async fn purge_notifications(
        &self,
        before: Timestamp,
        limit: usize,
    ) -> Result<usize, StoreError>;
}
