//! The mail outbox in the embedded store: messages by id, and an index of
//! those still open (pending or sending) by when they are due.

use souk_actors::store::{OutboxMail, OutboxStore, StoreError};
use souk_models::Timestamp;
use uuid::Uuid;

use super::EmbeddedStore;
use super::tables::{OUTBOX, OUTBOX_DUE, decode, encode, io, key};
use super::tx::Tx;

/// A due index key's time: unix nanoseconds, before 1970 as 1970.
fn due_key(at: Timestamp) -> u64 {
    u64::try_from(at.unix_timestamp_nanos()).unwrap_or(0)
}

/// Stores `mail` unless its id is stored already (used by the writes that
/// cause mail, inside their own transaction).
pub(super) fn enqueue(txn: &Tx, mail: &[(OutboxMail, Vec<u8>)]) -> Result<(), StoreError> {
    if mail.is_empty() {
        return Ok(());
    }
    let mut table = txn.open_table(OUTBOX).map_err(io)?;
    let mut due = txn.open_table(OUTBOX_DUE).map_err(io)?;
    for (m, bytes) in mail {
        let id = key(m.id);
        if table.get(id).map_err(io)?.is_some() {
            continue;
        }
        table.insert(id, bytes.as_slice()).map_err(io)?;
        if m.is_open() {
            due.insert((due_key(m.due_at), id), ()).map_err(io)?;
        }
    }
    Ok(())
}

/// `mail` with each message encoded, ready for [`enqueue`] in a write.
pub(super) fn encoded(mail: &[OutboxMail]) -> Result<Vec<(OutboxMail, Vec<u8>)>, StoreError> {
    mail.iter().map(|m| Ok((m.clone(), encode(m)?))).collect()
}

#[async_trait::async_trait]
impl OutboxStore for EmbeddedStore {
    async fn enqueue_mail(&self, mail: &[OutboxMail]) -> Result<(), StoreError> {
        let mail = encoded(mail)?;
        self.write(move |txn| enqueue(txn, &mail)).await
    }

    async fn due_mail(&self, now: Timestamp, limit: usize) -> Result<Vec<OutboxMail>, StoreError> {
        let until = due_key(now);
        self.read(move |txn| {
            let due = txn.open_table(OUTBOX_DUE).map_err(io)?;
            let table = txn.open_table(OUTBOX).map_err(io)?;
            let mut out = Vec::new();
            for row in due.range((0, 0)..=(until, u128::MAX)).map_err(io)? {
                let (k, _) = row.map_err(io)?;
                if let Some(bytes) = table.get(k.value().1).map_err(io)? {
                    out.push(decode(bytes.value())?);
                }
                if out.len() >= limit {
                    break;
                }
            }
            Ok(out)
        })
        .await
    }

    async fn update_mail(
        &self,
        current: &OutboxMail,
        next: &OutboxMail,
    ) -> Result<bool, StoreError> {
        let (current, next, bytes) = (current.clone(), next.clone(), encode(next)?);
        self.write(move |txn| {
            let id = key(current.id);
            let mut table = txn.open_table(OUTBOX).map_err(io)?;
            let stored: OutboxMail = match table.get(id).map_err(io)? {
                Some(found) => decode(found.value())?,
                None => return Err(StoreError::NotFound),
            };
            if stored != current {
                return Ok(false);
            }
            table.insert(id, bytes.as_slice()).map_err(io)?;
            let mut due = txn.open_table(OUTBOX_DUE).map_err(io)?;
            if stored.is_open() {
                due.remove((due_key(stored.due_at), id)).map_err(io)?;
            }
            if next.is_open() {
                due.insert((due_key(next.due_at), id), ()).map_err(io)?;
            }
            Ok(true)
        })
        .await
    }

    async fn get_mail(&self, id: Uuid) -> Result<Option<OutboxMail>, StoreError> {
        self.read(move |txn| {
            let table = txn.open_table(OUTBOX).map_err(io)?;
            let found = table.get(key(id)).map_err(io)?;
            found.map(|v| decode(v.value())).transpose()
        })
        .await
    }

    async fn list_mail(
        &self,
        before: Option<Uuid>,
        limit: usize,
    ) -> Result<Vec<OutboxMail>, StoreError> {
        self.read(move |txn| {
            let table = txn.open_table(OUTBOX).map_err(io)?;
            let upper = before.map_or(u128::MAX, |b| key(b).saturating_sub(1));
            let rows = table.range(0..=upper).map_err(io)?.rev().take(limit);
            rows.map(|row| decode(row.map_err(io)?.1.value())).collect()
        })
        .await
    }

    async fn purge_mail(&self, before: Timestamp, limit: usize) -> Result<usize, StoreError> {
        self.write(move |txn| {
            let mut table = txn.open_table(OUTBOX).map_err(io)?;
            let mut gone = Vec::new();
            // Ids are time-ordered, so only mail made before the cut-off
            // (give or take a clock step) is read.
            for row in table.iter().map_err(io)? {
                let (id, bytes) = row.map_err(io)?;
                let mail: OutboxMail = decode(bytes.value())?;
                if mail.created_at >= before {
                    break;
                }
                if !mail.is_open() {
                    gone.push(id.value());
                }
                if gone.len() >= limit {
                    break;
                }
            }
            for id in &gone {
                table.remove(*id).map_err(io)?;
            }
            Ok(gone.len())
        })
        .await
    }
}
