//! Storing messages: index rows first, then each message `IF NOT EXISTS`.
//!
//! Mail that an order's write sends (its placement, a timeline entry) is
//! stored *before* that write: no batch may span partitions and hold a
//! condition, and an acknowledged order must have its mail. When the
//! order's write then loses its race (or is fenced), the mail this call
//! stored is taken back ([`ScyllaStore::cause_outcome`]); a crash or a
//! failed request in between can leave it stored. The mail worker checks an
//! order's mail against the entry it names (`MailAbout::Order` carries the
//! entry's `seq` and time) and drops mail whose entry does not match, so
//! such a message is dropped, not sent. While such a message is young and
//! its entry is not stored (its order's write may still be on its way),
//! `due_mail` holds it back, so the worker does not drop mail
//! whose cause is about to land.

use std::time::Duration;

use futures::future::join_all;
use souk_actors::store::{MailAbout, OutboxMail, StoreError};
use souk_models::{OrderId, Timestamp};

use super::{due_writes, index_writes, unlist_writes};
use crate::ScyllaStore;
use crate::db::{Lwt, vals};
use crate::docs::{from_doc, to_bigint, to_doc};
use crate::series;

/// How long, at least, an order's message whose entry is not stored is
/// held back from the worker: its order's write may still be on its way.
const CAUSE_SETTLE: Duration = Duration::from_secs(60);

/// What an `INSERT … IF NOT EXISTS` of a message found: `None` if it
/// stored it, else the message stored already.
fn existing(insert: &Lwt) -> Result<Option<OutboxMail>, StoreError> {
    if insert.applied {
        return Ok(None);
    }
    match insert.column("doc").and_then(|v| v.as_text()) {
        Some(doc) => from_doc(doc).map(Some),
        None => Err(StoreError::Corrupt(
            "a mail insert was refused with no mail stored".into(),
        )),
    }
}

impl ScyllaStore {
    /// Stores each message of `mail` whose id is not stored yet, with its
    /// index rows; answers those this call stored. Not fenced: callers
    /// check the fence themselves (or fence the write that causes it). If
    /// one message fails, those stored are taken back and the error is
    /// answered.
    pub(crate) async fn store_mail<'m>(
        &self,
        mail: &'m [OutboxMail],
    ) -> Result<Vec<&'m OutboxMail>, StoreError> {
        if mail.is_empty() {
            return Ok(vec![]);
        }
        let mut writes = Vec::new();
        let mut docs = Vec::with_capacity(mail.len());
        for m in mail {
            writes.extend(index_writes(m)?);
            docs.push(to_doc(m)?);
        }
        // Listed first: a crash before the message leaves an index row that
        // names nothing (skipped), never a message that is not listed.
        self.db.batch(writes).await?;
        let inserts = mail.iter().zip(docs).map(|(m, doc)| {
            self.db.lwt(
                "INSERT INTO outbox (id, doc) VALUES (?, ?) IF NOT EXISTS",
                vals![m.id, doc],
            )
        });
        let answers = join_all(inserts).await;
        let mut stored = Vec::new();
        let mut failed = None;
        let mut restore = Vec::new();
        for (m, answer) in mail.iter().zip(answers) {
            match answer.and_then(|lwt| existing(&lwt)) {
                Ok(None) => stored.push(m),
                // Stored before: its due row goes back to what the stored
                // message says (ours may have replaced it).
                Ok(Some(existing)) => match due_writes(&existing) {
                    Ok(writes) => restore.extend(writes),
                    Err(e) => failed = Some(e),
                },
                Err(e) => failed = Some(e),
            }
        }
        if let Some(e) = failed {
            self.unstore_mail(&stored).await;
            return Err(e);
        }
        self.db.batch(restore).await?;
        Ok(stored)
    }

    /// Takes back messages [`Self::store_mail`] stored, each only if no
    /// worker has changed it since. Best effort: what is left is dropped by
    /// the worker (see the module's comment), so a failure is only logged.
    async fn unstore_mail(&self, stored: &[&OutboxMail]) {
        let deletes = stored.iter().map(|m| async move {
            let deleted = self
                .db
                .lwt(
                    "DELETE FROM outbox WHERE id = ? IF doc = ?",
                    vals![m.id, to_doc(*m)?],
                )
                .await?;
            if deleted.applied {
                self.db
                    .batch(unlist_writes(m.id, series::bucket_of_id(m.id)))
                    .await?;
            }
            Ok::<_, StoreError>(())
        });
        for (m, outcome) in stored.iter().zip(join_all(deletes).await) {
            if let Err(e) = outcome {
                tracing::warn!(mail = %m.id, error = %e, "mail whose cause was not stored is left for the worker to drop");
            }
        }
    }

    /// After mail was stored for a conditional write (`cause`): whether
    /// that write landed. When it did not (it lost its race, or was
    /// fenced), the mail `stored` is taken back; when its outcome is
    /// unknown (an error), the mail stays with what may be its cause.
    pub(crate) async fn cause_outcome(
        &self,
        cause: Result<Lwt, StoreError>,
        stored: &[&OutboxMail],
    ) -> Result<bool, StoreError> {
        match cause {
            Ok(lwt) if lwt.applied => Ok(true),
            Ok(_) => {
                self.unstore_mail(stored).await;
                Ok(false)
            }
            Err(e @ StoreError::Fenced(_)) => {
                self.unstore_mail(stored).await;
                Err(e)
            }
            Err(e) => Err(e),
        }
    }

    /// Whether `mail` is an order's message whose entry is not stored yet
    /// and which is young enough that its order's write may still land.
    pub(super) async fn awaits_cause(
        &self,
        mail: &OutboxMail,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let Some((order, seq)) = cause_in_flight(mail, now, self.target.timeout) else {
            return Ok(false);
        };
        let entry: Option<(Option<String>,)> = self
            .db
            .opt(
                "SELECT entry FROM orders WHERE id = ? AND seq = ?",
                vals![order.0, to_bigint(seq, "a timeline entry")?],
            )
            .await?;
        Ok(!matches!(entry, Some((Some(_),))))
    }
}

/// The order entry `mail` is about, if its order's write may still be on
/// its way at `now`: made less than [`CAUSE_SETTLE`] (or four request
/// timeouts, if longer) ago.
fn cause_in_flight(mail: &OutboxMail, now: Timestamp, timeout: Duration) -> Option<(OrderId, u64)> {
    let MailAbout::Order { order_id, seq, .. } = &mail.about else {
        return None;
    };
    let settle = CAUSE_SETTLE.max(timeout.saturating_mul(4));
    let settle = time::Duration::try_from(settle).unwrap_or(time::Duration::MAX);
    (now - mail.created_at <= settle).then_some((*order_id, *seq))
}

#[cfg(test)]
mod tests {
    use souk_models::{ProductId, UserId};
    use time::OffsetDateTime;

    use super::*;

    fn made(about: MailAbout, ago: time::Duration) -> OutboxMail {
        let at = OffsetDateTime::now_utc() - ago;
        OutboxMail::new(UserId::new(), about, at, at)
    }

    #[test]
    fn only_a_young_orders_message_waits_for_its_entry() {
        let now = OffsetDateTime::now_utc();
        let order_id = OrderId::new();
        let about = MailAbout::Order {
            order_id,
            seq: 2,
            at: now,
        };
        let timeout = Duration::from_secs(5);
        let young = made(about.clone(), time::Duration::seconds(10));
        assert_eq!(cause_in_flight(&young, now, timeout), Some((order_id, 2)));
        let old = made(about.clone(), time::Duration::minutes(2));
        assert_eq!(cause_in_flight(&old, now, timeout), None);
        let slow = Duration::from_secs(60);
        assert!(cause_in_flight(&old, now, slow).is_some(), "four timeouts");
        let low_stock = MailAbout::LowStock {
            product_id: ProductId::new(),
            title: "Lamp".into(),
            available: 1,
            threshold: 5,
        };
        let other = made(low_stock, time::Duration::ZERO);
        assert_eq!(cause_in_flight(&other, now, timeout), None);
    }

    #[test]
    fn an_insert_refused_with_no_stored_message_is_corrupt() {
        assert!(matches!(
            existing(&Lwt::default()),
            Err(StoreError::Corrupt(_))
        ));
    }
}
