//! Users' kept notifications in the ScyllaDB store. A user's notifications
//! are one partition of `notifications`, newest first by id (a `blob`, so
//! ids compare as the other stores compare them); the ids of the unread
//! ones are one partition of `notifications_unread`, which is all an
//! unread count reads; and every notification is in the [`SERIES`] by the
//! hour it was made, which is what a purge reads.
//!
//! A notification's row, its unread mark and its series row are written
//! in one logged batch, and deleted in one. Marking read sets `read_ns`
//! and deletes the mark, also in one batch: the document is not rewritten
//! (its `read_at` is as added; `read_ns` fills it in when read back), so a
//! mark needs no read of it, and one that races a purge leaves at most a
//! row without a document, which readers skip.
//!
//! An id stored already is found by a read before the write and left as
//! it is: two adds of one new id at once both write it, the same row.

use std::collections::{BTreeMap, HashSet};

use futures::future::try_join_all;
use futures::stream::{self, StreamExt, TryStreamExt};
use souk_actors::store::{NotificationStore, StoreError};
use souk_models::{Notification, NotificationId, Timestamp, UserId};

use super::ScyllaStore;
use super::db::{self, Write, key, vals};
use super::docs::{from_doc, from_nanos, nanos, to_doc};
use super::series;

/// Every notification by the hour it was made, each with its time (unix
/// nanoseconds); a row's id is its user's id then its own.
const SERIES: &str = "notifications";

/// Keys per `IN` read: ScyllaDB refuses more than 100 clustering keys in
/// one query.
const KEYS_PER_READ: usize = 64;

/// Notifications per logged batch (each of up to four rows), well under
/// ScyllaDB's batch size warning; an add reads a batch's ids in one query.
const PER_BATCH: usize = 32;
const _: () = assert!(PER_BATCH <= KEYS_PER_READ);

/// Batches written at once.
const BATCHES_AT_ONCE: usize = 8;

/// A series row's id: the user's id, then the notification's.
fn index_id(user: UserId, id: NotificationId) -> Vec<u8> {
    let mut bytes = key(user.0);
    bytes.extend_from_slice(id.0.as_bytes());
    bytes
}

/// A series row's id back as its user and notification.
fn from_index_id(bytes: &[u8]) -> Result<(UserId, NotificationId), StoreError> {
    if bytes.len() != 32 {
        return Err(StoreError::Corrupt(
            "a notification index id is not 32 bytes".into(),
        ));
    }
    let (user, id) = bytes.split_at(16);
    Ok((UserId(db::id(user)?), NotificationId(db::id(id)?)))
}

/// A notification's row, its unread mark (if it is unread) and its place
/// in the series by the time it was made.
fn add_writes(note: &Notification) -> Result<Vec<Write>, StoreError> {
    let (user, id) = (note.user_id.0, key(note.id.0));
    let doc = to_doc(note)?;
    let mut writes = match note.read_at {
        Some(read) => vec![Write::new(
            "INSERT INTO notifications (user_id, id, doc, read_ns) VALUES (?, ?, ?, ?)",
            vals![user, id, doc, nanos(read)?],
        )],
        None => vec![
            Write::new(
                "INSERT INTO notifications (user_id, id, doc) VALUES (?, ?, ?)",
                vals![user, id.clone(), doc],
            ),
            Write::new(
                "INSERT INTO notifications_unread (user_id, id) VALUES (?, ?)",
                vals![user, id],
            ),
        ],
    };
    let bucket = series::bucket_of_time(note.created_at);
    let made = nanos(note.created_at)?;
    writes.extend(series::add(
        SERIES,
        bucket,
        index_id(note.user_id, note.id),
        Some(made),
    ));
    Ok(writes)
}

/// The notification (by its key) marked read at `read_ns`.
fn mark_writes(user: UserId, id: Vec<u8>, read_ns: i64) -> [Write; 2] {
    [
        Write::new(
            "UPDATE notifications SET read_ns = ? WHERE user_id = ? AND id = ?",
            vals![read_ns, user.0, id.clone()],
        ),
        Write::new(
            "DELETE FROM notifications_unread WHERE user_id = ? AND id = ?",
            vals![user.0, id],
        ),
    ]
}

/// The notification, its unread mark and its series row (in `bucket`),
/// deleted.
fn purge_writes(user: UserId, id: NotificationId, bucket: i64) -> Vec<Write> {
    vec![
        Write::new(
            "DELETE FROM notifications WHERE user_id = ? AND id = ?",
            vals![user.0, key(id.0)],
        ),
        Write::new(
            "DELETE FROM notifications_unread WHERE user_id = ? AND id = ?",
            vals![user.0, key(id.0)],
        ),
        series::remove(SERIES, bucket, index_id(user, id)),
    ]
}

/// A notification from its stored document and `read_ns`.
fn from_row(doc: &str, read_ns: Option<i64>) -> Result<Notification, StoreError> {
    let mut note: Notification = from_doc(doc)?;
    if note.read_at.is_none() {
        note.read_at = read_ns.map(from_nanos).transpose()?;
    }
    Ok(note)
}

/// A count or limit as CQL's `int`; a larger one than `int` holds means
/// all.
fn int(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl ScyllaStore {
    /// Which of `keys` (at most [`KEYS_PER_READ`]) the user has rows of in
    /// the table `cql` reads (`… WHERE user_id = ? AND id IN ?`).
    async fn stored_keys(
        &self,
        cql: &'static str,
        user: UserId,
        keys: Vec<Vec<u8>>,
    ) -> Result<HashSet<Vec<u8>>, StoreError> {
        let rows: Vec<(Vec<u8>,)> = self.db.rows(cql, vals![user.0, keys]).await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Stores those of one user's `notes` (at most [`PER_BATCH`]) not
    /// stored yet, in one batch.
    async fn add_new(&self, user: UserId, notes: Vec<&Notification>) -> Result<(), StoreError> {
        let keys = notes.iter().map(|n| key(n.id.0)).collect();
        let stored = self
            .stored_keys(
                "SELECT id FROM notifications WHERE user_id = ? AND id IN ?",
                user,
                keys,
            )
            .await?;
        let mut writes = Vec::new();
        for note in notes {
            if !stored.contains(key(note.id.0).as_slice()) {
                writes.extend(add_writes(note)?);
            }
        }
        self.db.batch(writes).await?;
        Ok(())
    }

    /// The keys of the user's unread notifications: all of them, or those
    /// among `ids`.
    async fn unread_keys(
        &self,
        user: UserId,
        ids: Option<&[NotificationId]>,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        let Some(ids) = ids else {
            let rows: Vec<(Vec<u8>,)> = self
                .db
                .scan(
                    "SELECT id FROM notifications_unread WHERE user_id = ?",
                    vals![user.0],
                )
                .await?;
            return Ok(rows.into_iter().map(|(id,)| id).collect());
        };
        let mut keys: Vec<Vec<u8>> = ids.iter().map(|id| key(id.0)).collect();
        keys.sort();
        keys.dedup();
        let mut unread = Vec::new();
        for chunk in keys.chunks(KEYS_PER_READ) {
            let found = self
                .stored_keys(
                    "SELECT id FROM notifications_unread WHERE user_id = ? AND id IN ?",
                    user,
                    chunk.to_vec(),
                )
                .await?;
            unread.extend(found);
        }
        Ok(unread)
    }
}

#[async_trait::async_trait]
impl NotificationStore for ScyllaStore {
    /// By user, in batches of up to [`PER_BATCH`], each after a read
    /// of which of its ids are stored; the first of any repeated id kept.
    async fn add_notifications(&self, notes: &[Notification]) -> Result<(), StoreError> {
        if notes.is_empty() {
            return Ok(());
        }
        self.check_fence().await?;
        let mut seen = HashSet::new();
        let mut by_user: BTreeMap<UserId, Vec<&Notification>> = BTreeMap::new();
        for note in notes {
            if seen.insert((note.user_id, note.id)) {
                by_user.entry(note.user_id).or_default().push(note);
            }
        }
        let chunks: Vec<(UserId, Vec<&Notification>)> = by_user
            .into_iter()
            .flat_map(|(user, notes)| {
                let chunks: Vec<Vec<&Notification>> =
                    notes.chunks(PER_BATCH).map(<[_]>::to_vec).collect();
                chunks.into_iter().map(move |chunk| (user, chunk))
            })
            .collect();
        let adds: Vec<_> = chunks
            .into_iter()
            .map(|(user, chunk)| self.add_new(user, chunk))
            .collect();
        stream::iter(adds)
            .buffer_unordered(BATCHES_AT_ONCE)
            .try_collect::<Vec<()>>()
            .await?;
        Ok(())
    }

    /// One partition read from the cursor down; rows without a document
    /// (a mark that raced a purge) are skipped and made up for.
    async fn list_notifications(
        &self,
        user: UserId,
        before: Option<NotificationId>,
        limit: usize,
    ) -> Result<Vec<Notification>, StoreError> {
        let mut found = Vec::new();
        let mut cursor = before.map(|b| key(b.0));
        while found.len() < limit {
            let want = int(limit - found.len());
            let rows: Vec<(Vec<u8>, Option<String>, Option<i64>)> = match cursor.take() {
                Some(from) => {
                    self.db
                        .rows(
                            "SELECT id, doc, read_ns FROM notifications \
                             WHERE user_id = ? AND id < ? LIMIT ?",
                            vals![user.0, from, want],
                        )
                        .await?
                }
                None => {
                    self.db
                        .rows(
                            "SELECT id, doc, read_ns FROM notifications WHERE user_id = ? \
                             LIMIT ?",
                            vals![user.0, want],
                        )
                        .await?
                }
            };
            let read = rows.len();
            for (id, doc, read_ns) in rows {
                if let Some(doc) = doc {
                    found.push(from_row(&doc, read_ns)?);
                }
                cursor = Some(id);
            }
            if read < usize::try_from(want).unwrap_or(usize::MAX) {
                break;
            }
        }
        Ok(found)
    }

    async fn count_unread(&self, user: UserId, cap: usize) -> Result<usize, StoreError> {
        if cap == 0 {
            return Ok(0);
        }
        let rows: Vec<(Vec<u8>,)> = self
            .db
            .rows(
                "SELECT id FROM notifications_unread WHERE user_id = ? LIMIT ?",
                vals![user.0, int(cap)],
            )
            .await?;
        Ok(rows.len())
    }

    /// Reads which are unread, then marks those, a batch per
    /// [`PER_BATCH`]. Two marks of one notification at once may both
    /// count it.
    async fn mark_read(
        &self,
        user: UserId,
        ids: Option<&[NotificationId]>,
        at: Timestamp,
    ) -> Result<usize, StoreError> {
        let read_ns = nanos(at)?;
        let unread = self.unread_keys(user, ids).await?;
        if unread.is_empty() {
            return Ok(0);
        }
        self.check_fence().await?;
        for chunk in unread.chunks(PER_BATCH) {
            let writes = chunk
                .iter()
                .flat_map(|id| mark_writes(user, id.clone(), read_ns))
                .collect();
            self.db.batch(writes).await?;
        }
        Ok(unread.len())
    }

    /// Reads the series up to `before`'s hour and deletes each
    /// notification made before `before`, with its mark and series row.
    /// Series rows whose notification is gone are deleted, not counted
    /// (one whose batch is still landing loses its series row, and is then
    /// kept: only a notification added already past its retention can be).
    async fn purge_notifications(
        &self,
        before: Timestamp,
        limit: usize,
    ) -> Result<usize, StoreError> {
        let before_ns = nanos(before)?;
        self.check_fence().await?;
        let mut purged = 0;
        for bucket in self
            .series_buckets_until(SERIES, series::bucket_of_time(before))
            .await?
        {
            if purged >= limit {
                break;
            }
            let mut due = Vec::new();
            for (index, at) in self.series_rows(SERIES, bucket).await? {
                if at.is_some_and(|at| at < before_ns) {
                    due.push(from_index_id(&index)?);
                }
            }
            for chunk in due.chunks(crate::READS_AT_ONCE) {
                if purged >= limit {
                    return Ok(purged);
                }
                let found = try_join_all(chunk.iter().map(|(user, id)| {
                    self.db.opt::<(Option<String>,)>(
                        "SELECT doc FROM notifications WHERE user_id = ? AND id = ?",
                        vals![user.0, key(id.0)],
                    )
                }))
                .await?;
                let mut deletes = Vec::new();
                for ((user, id), row) in chunk.iter().zip(found) {
                    if matches!(row, Some((Some(_),))) {
                        if purged >= limit {
                            continue;
                        }
                        purged += 1;
                    }
                    deletes.push(self.db.batch(purge_writes(*user, *id, bucket)));
                }
                try_join_all(deletes).await?;
            }
        }
        Ok(purged)
    }
}

#[cfg(test)]
mod tests;
