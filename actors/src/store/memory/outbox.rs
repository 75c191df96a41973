//! The mail outbox in memory.

use souk_models::Timestamp;
use uuid::Uuid;

use super::super::{OutboxMail, OutboxStore, StoreError};
use super::{Inner, MemoryStore};

impl Inner {
    /// Adds new messages, leaving any already stored as they are.
    pub(super) fn enqueue(&mut self, mail: &[OutboxMail]) {
        for m in mail {
            self.outbox.entry(m.id).or_insert_with(|| m.clone());
        }
    }
}

#[async_trait::async_trait]
impl OutboxStore for MemoryStore {
    async fn enqueue_mail(&self, mail: &[OutboxMail]) -> Result<(), StoreError> {
        self.write()?.enqueue(mail);
        Ok(())
    }

    async fn due_mail(&self, now: Timestamp, limit: usize) -> Result<Vec<OutboxMail>, StoreError> {
        let db = self.lock();
        let mut due: Vec<OutboxMail> = db
            .outbox
            .values()
            .filter(|m| m.is_open() && m.due_at <= now)
            .cloned()
            .collect();
        due.sort_by_key(|m| (m.due_at, m.id));
        due.truncate(limit);
        Ok(due)
    }

    async fn update_mail(
        &self,
        current: &OutboxMail,
        next: &OutboxMail,
    ) -> Result<bool, StoreError> {
        let mut db = self.write()?;
        match db.outbox.get_mut(&current.id) {
            Some(stored) if stored == current => {
                *stored = next.clone();
                Ok(true)
            }
            Some(_) => Ok(false),
            None => Err(StoreError::NotFound),
        }
    }

    async fn get_mail(&self, id: Uuid) -> Result<Option<OutboxMail>, StoreError> {
        Ok(self.lock().outbox.get(&id).cloned())
    }

    async fn list_mail(
        &self,
        before: Option<Uuid>,
        limit: usize,
    ) -> Result<Vec<OutboxMail>, StoreError> {
        let db = self.lock();
        let upper = before.unwrap_or(Uuid::max());
        Ok(db
            .outbox
            .range(..upper)
            .rev()
            .take(limit)
            .map(|(_, m)| m.clone())
            .collect())
    }

    async fn purge_mail(&self, before: Timestamp, limit: usize) -> Result<usize, StoreError> {
        let mut db = self.write()?;
        let gone: Vec<Uuid> = db
            .outbox
            .values()
            .filter(|m| !m.is_open() && m.created_at < before)
            .take(limit)
            .map(|m| m.id)
            .collect();
        for id in &gone {
            db.outbox.remove(id);
        }
        Ok(gone.len())
    }
}
