//! The mail outbox in the ScyllaDB store. A message is one row of `outbox`
//! (its document by id), listed newest first in the [`MAIL`] series and,
//! while it is open (pending or sending), in the [`DUE`] series with its due
//! time, which the worker reads the way start-up reads unpaid orders. Both
//! series bucket a message by its id's time, so its index rows are found
//! again from the message alone.
//!
//! A message is stored with `INSERT … IF NOT EXISTS` (a stored id is left
//! as it is) after its index rows, so a stored message is always listed; an
//! index row whose message is missing or finished is skipped by readers and
//! deleted by a purge. A worker takes a message with `UPDATE … IF doc = ?`
//! (a lightweight transaction on the whole stored document), so of two
//! workers that read it the same, one wins.
//!
//! How messages are stored, and taken back when what causes them is not
//! ([`stored`]).

mod stored;

use futures::future::try_join_all;
use souk_actors::store::{OutboxMail, OutboxStore, StoreError};
use souk_models::Timestamp;
use time::OffsetDateTime;
use uuid::Uuid;

use super::ScyllaStore;
use super::db::{Write, key, vals};
use super::docs::{from_doc, nanos, to_doc};
use super::series::{self, Direction};

/// Every message, by id (newest first when listed).
pub(crate) const MAIL: &str = "outbox";

/// Open messages, by id, each with its due time (unix nanoseconds).
pub(crate) const DUE: &str = "outbox/due";

/// The index rows that list `mail`, and find it due while it is open.
fn index_writes(mail: &OutboxMail) -> Result<Vec<Write>, StoreError> {
    let mut writes = series::add(MAIL, series::bucket_of_id(mail.id), key(mail.id), None).to_vec();
    writes.extend(due_writes(mail)?);
    Ok(writes)
}

/// `mail`'s row in the due series as its state says: there with its due
/// time while open, gone once finished.
pub(crate) fn due_writes(mail: &OutboxMail) -> Result<Vec<Write>, StoreError> {
    let bucket = series::bucket_of_id(mail.id);
    Ok(if mail.is_open() {
        series::add(DUE, bucket, key(mail.id), Some(nanos(mail.due_at)?)).to_vec()
    } else {
        vec![series::remove(DUE, bucket, key(mail.id))]
    })
}

/// Both index rows of the message `id` (in `bucket`), deleted.
fn unlist_writes(id: Uuid, bucket: i64) -> Vec<Write> {
    vec![
        series::remove(MAIL, bucket, key(id)),
        series::remove(DUE, bucket, key(id)),
    ]
}

/// The message and both its index rows, deleted together.
fn purge_writes(id: Uuid, bucket: i64) -> Vec<Write> {
    let mut writes = vec![Write::new("DELETE FROM outbox WHERE id = ?", vals![id])];
    writes.extend(unlist_writes(id, bucket));
    writes
}

#[async_trait::async_trait]
impl OutboxStore for ScyllaStore {
    async fn enqueue_mail(&self, mail: &[OutboxMail]) -> Result<(), StoreError> {
        self.check_fence().await?;
        self.store_mail(mail).await?;
        Ok(())
    }

    /// Reads the whole due series (open mail only), keeps the rows due by
    /// `now`, and checks each against its message.
    async fn due_mail(&self, now: Timestamp, limit: usize) -> Result<Vec<OutboxMail>, StoreError> {
        let now_ns = nanos(now)?;
        let mut ids = Vec::new();
        for (_, id, at) in self.series_all(DUE).await? {
            if at.is_some_and(|at| at <= now_ns) {
                ids.push(crate::db::id(&id)?);
            }
        }
        let mut due: Vec<OutboxMail> = Vec::new();
        for chunk in ids.chunks(crate::READS_AT_ONCE) {
            let found = try_join_all(chunk.iter().map(|id| self.get_mail(*id))).await?;
            due.extend(
                found
                    .into_iter()
                    .flatten()
                    .filter(|m| m.is_open() && m.due_at <= now),
            );
        }
        due.sort_by_key(|m| (m.due_at, m.id));
        let mut taken = Vec::new();
        for m in due {
            if taken.len() >= limit {
                break;
            }
            if !self.awaits_cause(&m, now).await? {
                taken.push(m);
            }
        }
        Ok(taken)
    }

    async fn update_mail(
        &self,
        current: &OutboxMail,
        next: &OutboxMail,
    ) -> Result<bool, StoreError> {
        if next.id != current.id {
            return Err(StoreError::Conflict("a message's id cannot change".into()));
        }
        let (current_doc, next_doc, due) = (to_doc(current)?, to_doc(next)?, due_writes(next)?);
        self.check_fence().await?;
        if next.is_open() && !current.is_open() {
            // Opened again: its due row is written before the message, so
            // a crash between the two cannot leave it open and never due.
            self.db.batch(due.clone()).await?;
        }
        let won = self
            .db
            .lwt(
                "UPDATE outbox SET doc = ? WHERE id = ? IF doc = ?",
                vals![next_doc, current.id, current_doc],
            )
            .await?;
        if !won.applied {
            return match won.column("doc") {
                Some(_) => Ok(false),
                None => Err(StoreError::NotFound),
            };
        }
        // A crash before this leaves its old due row: it is found due at
        // its old time and checked against the message, which says when.
        self.db.batch(due).await?;
        Ok(true)
    }

    async fn get_mail(&self, id: Uuid) -> Result<Option<OutboxMail>, StoreError> {
        let row: Option<(String,)> = self
            .db
            .opt("SELECT doc FROM outbox WHERE id = ?", vals![id])
            .await?;
        row.map(|(doc,)| from_doc(&doc)).transpose()
    }

    async fn list_mail(
        &self,
        before: Option<Uuid>,
        limit: usize,
    ) -> Result<Vec<OutboxMail>, StoreError> {
        let mut found = Vec::new();
        let mut cursor = before;
        while found.len() < limit {
            let want = limit - found.len();
            let ids = self
                .series_page(MAIL, cursor, Direction::Down, want)
                .await?;
            let Some(last) = ids.last() else { break };
            cursor = Some(*last);
            let mail = try_join_all(ids.iter().map(|id| self.get_mail(*id))).await?;
            found.extend(mail.into_iter().flatten());
            if ids.len() < want {
                break;
            }
        }
        Ok(found)
    }

    /// Reads the listing oldest first, up to the hour after `before`'s (a
    /// message's id is made when it is, so it falls in its creation's
    /// hour), and deletes finished messages created before `before`, each
    /// with its index rows in one batch. Index rows that name no message
    /// (left by a crash before it was stored) in hours wholly before
    /// `before`'s, and over an hour ago, are deleted too.
    async fn purge_mail(&self, before: Timestamp, limit: usize) -> Result<usize, StoreError> {
        let last = series::bucket_of_time(before);
        let settled = series::bucket_of_time(OffsetDateTime::now_utc()) - 1;
        let mut purged = 0;
        for bucket in self.series_buckets_until(MAIL, last + 1).await? {
            let rows = self.series_rows(MAIL, bucket).await?;
            for chunk in rows.chunks(crate::READS_AT_ONCE) {
                if purged >= limit {
                    return Ok(purged);
                }
                let mut ids = Vec::with_capacity(chunk.len());
                for (id, _) in chunk {
                    ids.push(crate::db::id(id)?);
                }
                let found = try_join_all(ids.iter().map(|id| self.get_mail(*id))).await?;
                let mut deletes = Vec::new();
                for (id, mail) in ids.into_iter().zip(found) {
                    let (gone, counted) = match mail {
                        Some(m) => (!m.is_open() && m.created_at < before && purged < limit, 1),
                        None => (bucket < last && bucket < settled, 0),
                    };
                    if gone {
                        purged += counted;
                        deletes.push(self.batch(purge_writes(id, bucket)));
                    }
                }
                try_join_all(deletes).await?;
            }
        }
        Ok(purged)
    }
}

#[cfg(test)]
mod tests {
    use souk_actors::store::{MailAbout, MailState};
    use souk_models::{ProductId, UserId};

    use super::*;
    use crate::db::Value;

    fn mail() -> OutboxMail {
        let now = OffsetDateTime::now_utc();
        let about = MailAbout::LowStock {
            product_id: ProductId::new(),
            title: "Lamp".into(),
            available: 2,
            threshold: 5,
        };
        OutboxMail::new(UserId::new(), about, now, now)
    }

    /// Each write as its verb, table and series name (if it has one).
    fn shapes(writes: &[Write]) -> Vec<String> {
        writes
            .iter()
            .map(|w| {
                let words: Vec<&str> = w.cql.split_whitespace().collect();
                let series = match w.values.first() {
                    Some(Some(scylla::value::CqlValue::Text(name))) => name.as_str(),
                    _ => "-",
                };
                format!("{} {} {series}", words[0], words[2])
            })
            .collect()
    }

    #[test]
    fn an_open_message_is_listed_and_due_at_its_time() {
        let open = mail();
        let writes = index_writes(&open).unwrap_or_default();
        assert_eq!(
            shapes(&writes),
            [
                "INSERT series outbox",
                "INSERT series_buckets outbox",
                "INSERT series outbox/due",
                "INSERT series_buckets outbox/due",
            ]
        );
        let due: Value = vals![nanos(open.due_at).ok()].remove(0);
        assert_eq!(writes[2].values[3], due);
        assert_eq!(writes[0].values[1], vals![series::bucket_of_id(open.id)][0]);
    }

    #[test]
    fn a_finished_message_stays_listed_and_leaves_the_due_series() {
        let sent = OutboxMail {
            state: MailState::Sent,
            finished_at: Some(OffsetDateTime::now_utc()),
            ..mail()
        };
        let writes = index_writes(&sent).unwrap_or_default();
        assert_eq!(
            shapes(&writes),
            [
                "INSERT series outbox",
                "INSERT series_buckets outbox",
                "DELETE series outbox/due",
            ]
        );
    }

    #[test]
    fn a_purge_deletes_the_message_with_both_index_rows() {
        let m = mail();
        let writes = purge_writes(m.id, series::bucket_of_id(m.id));
        assert_eq!(
            shapes(&writes),
            [
                "DELETE outbox -",
                "DELETE series outbox",
                "DELETE series outbox/due"
            ]
        );
    }
}
