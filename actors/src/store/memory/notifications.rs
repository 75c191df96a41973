//! Kept notifications in memory.

use souk_models::{Notification, NotificationId, Timestamp, UserId};

use super::super::{NotificationStore, StoreError};
use super::MemoryStore;

#[async_trait::async_trait]
impl NotificationStore for MemoryStore {
    async fn add_notifications(&self, notes: &[Notification]) -> Result<(), StoreError> {
        let mut db = self.write()?;
        for note in notes {
            db.notifications
                .entry((note.user_id, note.id))
                .or_insert_with(|| note.clone());
        }
        Ok(())
    }

    async fn list_notifications(
        &self,
        user: UserId,
        before: Option<NotificationId>,
        limit: usize,
    ) -> Result<Vec<Notification>, StoreError> {
        let db = self.lock();
        let upper = before.unwrap_or(NotificationId(uuid::Uuid::max()));
        Ok(db
            .notifications
            .range((user, NotificationId(uuid::Uuid::nil()))..(user, upper))
            .rev()
            .take(limit)
            .map(|(_, n)| n.clone())
            .collect())
    }

    async fn count_unread(&self, user: UserId, cap: usize) -> Result<usize, StoreError> {
        let db = self.lock();
        let range =
            (user, NotificationId(uuid::Uuid::nil()))..=(user, NotificationId(uuid::Uuid::max()));
        Ok(db
            .notifications
            .range(range)
            .filter(|(_, n)| n.read_at.is_none())
            .take(cap)
            .count())
    }

    async fn mark_read(
        &self,
        user: UserId,
        ids: Option<&[NotificationId]>,
        at: Timestamp,
    ) -> Result<usize, StoreError> {
        let mut db = self.write()?;
        let range =
            (user, NotificationId(uuid::Uuid::nil()))..=(user, NotificationId(uuid::Uuid::max()));
        let mut marked = 0;
        for ((_, id), note) in db.notifications.range_mut(range) {
            if note.read_at.is_none() && ids.is_none_or(|ids| ids.contains(id)) {
                note.read_at = Some(at);
                marked += 1;
            }
        }
        Ok(marked)
    }

    async fn purge_notifications(
        &self,
        before: Timestamp,
        limit: usize,
    ) -> Result<usize, StoreError> {
        let mut db = self.write()?;
        let gone: Vec<(UserId, NotificationId)> = db
            .notifications
            .iter()
            .filter(|(_, n)| n.created_at < before)
            .take(limit)
            .map(|(k, _)| *k)
            .collect();
        for key in &gone {
            db.notifications.remove(key);
        }
        Ok(gone.len())
    }
}
