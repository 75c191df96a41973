//! Users' kept notifications in the PostgreSQL store (`schema_4.sql`): one
//! row per notification, keyed by `(user_id, id)`, its document beside
//! `unread` and `created_ns`. A batch is stored by one statement; marking
//! read is one `UPDATE` that clears `unread` and sets the document's
//! `read_at` together, so the two never disagree.

use souk_actors::store::{NotificationStore, StoreError};
use souk_models::{Notification, NotificationId, Timestamp, UserId};
use time::format_description::well_known::Rfc3339;
use tokio_postgres::types::Json;
use uuid::Uuid;

use super::PostgresStore;
use super::db::{big, count, docs, nanos, one, rows};

/// Stores new notifications, leaving any whose `(user_id, id)` is stored
/// as they are.
const ADD: &str = "\
INSERT INTO notifications (user_id, id, created_ns, unread, doc)
SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::boolean[], $5::jsonb[])
ON CONFLICT (user_id, id) DO NOTHING";

/// A user's notifications older than `$2`, newest first.
const LIST: &str = "\
SELECT doc FROM notifications WHERE user_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3";

/// How many of a user's notifications are unread, up to `$2` (the
/// inner `LIMIT` stops the scan of the partial index there).
const COUNT_UNREAD: &str = "\
SELECT count(*) FROM (
    SELECT 1 FROM notifications WHERE user_id = $1 AND unread LIMIT $2
) AS unread";

/// Marks every unread notification of a user read at `$2` (RFC 3339 text,
/// as serde writes `read_at`).
const MARK_ALL: &str = "\
UPDATE notifications SET unread = false, doc = jsonb_set(doc, '{read_at}', to_jsonb($2::text))
WHERE user_id = $1 AND unread";

/// As [`MARK_ALL`], for the user's notifications among `$3` only.
const MARK_SOME: &str = "\
UPDATE notifications SET unread = false, doc = jsonb_set(doc, '{read_at}', to_jsonb($2::text))
WHERE user_id = $1 AND unread AND id = ANY($3::uuid[])";

/// Deletes up to `$2` notifications made before `$1`.
const PURGE: &str = "\
DELETE FROM notifications WHERE (user_id, id) IN (
    SELECT user_id, id FROM notifications WHERE created_ns < $1 LIMIT $2
)";

/// A time as the document holds it: the text `time::serde::rfc3339`
/// writes, so the document reads back as the other stores' do.
fn rfc3339(at: Timestamp) -> Result<String, StoreError> {
    at.format(&Rfc3339)
        .map_err(|e| StoreError::Conflict(format!("{at} cannot be stored: {e}")))
}

/// Notifications as the columns of an array-valued insert: in key order
/// (so two statements take their row locks in one order), the first of
/// any that share a key kept.
#[derive(Default)]
struct Columns<'a> {
    users: Vec<Uuid>,
    ids: Vec<Uuid>,
    created: Vec<i64>,
    unread: Vec<bool>,
    docs: Vec<Json<&'a Notification>>,
}

impl<'a> Columns<'a> {
    fn new(notes: &'a [Notification]) -> Result<Self, StoreError> {
        let mut sorted: Vec<&Notification> = notes.iter().collect();
        sorted.sort_by_key(|n| (n.user_id, n.id));
        sorted.dedup_by_key(|n| (n.user_id, n.id));
        let mut c = Self::default();
        for n in sorted {
            c.users.push(n.user_id.0);
            c.ids.push(n.id.0);
            c.created.push(nanos(n.created_at)?);
            c.unread.push(n.read_at.is_none());
            c.docs.push(Json(n));
        }
        Ok(c)
    }
}

/// A changed-row count as the port answers it.
fn changed(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

#[async_trait::async_trait]
impl NotificationStore for PostgresStore {
    async fn add_notifications(&self, notes: &[Notification]) -> Result<(), StoreError> {
        if notes.is_empty() {
            return Ok(());
        }
        let c = Columns::new(notes)?;
        self.write_one(ADD, &[&c.users, &c.ids, &c.created, &c.unread, &c.docs])
            .await?;
        Ok(())
    }

    async fn list_notifications(
        &self,
        user: UserId,
        before: Option<NotificationId>,
        limit: usize,
    ) -> Result<Vec<Notification>, StoreError> {
        let client = self.client().await?;
        let before = before.map_or(Uuid::max(), |b| b.0);
        let found = rows(&client, LIST, &[&user.0, &before, &big(limit)]).await?;
        docs(&found, 0)
    }

    async fn count_unread(&self, user: UserId, cap: usize) -> Result<usize, StoreError> {
        let client = self.client().await?;
        let row = one(&client, COUNT_UNREAD, &[&user.0, &big(cap)]).await?;
        count(&row)
    }

    async fn mark_read(
        &self,
        user: UserId,
        ids: Option<&[NotificationId]>,
        at: Timestamp,
    ) -> Result<usize, StoreError> {
        let at = rfc3339(at)?;
        let marked = match ids {
            None => self.write_one(MARK_ALL, &[&user.0, &at]).await?,
            Some([]) => 0,
            Some(ids) => {
                let ids: Vec<Uuid> = ids.iter().map(|id| id.0).collect();
                self.write_one(MARK_SOME, &[&user.0, &at, &ids]).await?
            }
        };
        Ok(changed(marked))
    }

    async fn purge_notifications(
        &self,
        before: Timestamp,
        limit: usize,
    ) -> Result<usize, StoreError> {
        let purged = self
            .write_one(PURGE, &[&nanos(before)?, &big(limit)])
            .await?;
        Ok(changed(purged))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use souk_models::NotificationKind;
    use time::{Duration, OffsetDateTime, UtcOffset};

    use super::*;
    use crate::testing::TestDatabase;

    fn note(user: UserId) -> Notification {
        Notification {
            id: NotificationId::new(),
            user_id: user,
            kind: NotificationKind::LowStock,
            title: "Lamp is low".into(),
            data: json!({ "available": 1 }),
            created_at: OffsetDateTime::now_utc(),
            read_at: None,
        }
    }

    /// The text set in the document is what serde writes for `read_at`,
    /// offset and all, so it reads back as the same time.
    #[test]
    fn read_at_is_stored_as_serde_writes_it() {
        let offset = UtcOffset::from_hms(2, 0, 0).expect("a valid offset");
        let at = OffsetDateTime::now_utc().to_offset(offset);
        let text = rfc3339(at).expect("formats");
        let read = Notification {
            read_at: Some(at),
            ..note(UserId::new())
        };
        let doc = serde_json::to_value(&read).expect("serialised");
        assert_eq!(doc["read_at"], json!(text));
        let back: Notification = serde_json::from_value(doc).expect("deserialised");
        assert_eq!(back, read);
    }

    #[test]
    fn a_batch_is_stored_in_key_order_once_per_key() {
        let user = UserId::new();
        let (a, b) = (note(user), note(user));
        let again = Notification {
            title: "changed".into(),
            ..b.clone()
        };
        let notes = [b.clone(), a.clone(), again];
        let c = Columns::new(&notes).expect("in range");
        assert_eq!(c.ids, [a.id.0, b.id.0]);
        assert_eq!(c.docs[1].0.title, b.title);
        assert_eq!(c.unread, [true, true]);
    }

    /// `unread` follows `read_at`, the marked document keeps its other
    /// fields, and a purge leaves what is recent.
    #[tokio::test]
    async fn the_unread_column_follows_the_document() {
        let Some(database) = TestDatabase::create().await else {
            return;
        };
        let store = database.store().await;
        let user = UserId::new();
        let old = Notification {
            created_at: OffsetDateTime::now_utc() - Duration::days(30),
            ..note(user)
        };
        let fresh = note(user);
        store
            .add_notifications(&[old.clone(), fresh.clone()])
            .await
            .expect("stored");
        let at = OffsetDateTime::now_utc();
        let marked = store.mark_read(user, Some(&[old.id]), at).await;
        assert_eq!(marked.expect("marked"), 1);
        let columns = "SELECT unread::text || '/' || (doc->>'title') FROM notifications \
                       ORDER BY id";
        let expected = ["false/Lamp is low", "true/Lamp is low"];
        assert_eq!(database.query_strings(columns).await, expected);
        let listed = store.list_notifications(user, None, 10).await;
        let read = Notification {
            read_at: Some(at),
            ..old.clone()
        };
        assert_eq!(listed.expect("listed"), vec![fresh.clone(), read]);

        let cutoff = OffsetDateTime::now_utc() - Duration::days(7);
        let purged = store.purge_notifications(cutoff, 10).await;
        assert_eq!(purged.expect("purged"), 1);
        assert_eq!(store.count_unread(user, 10).await.expect("counted"), 1);
    }
}
