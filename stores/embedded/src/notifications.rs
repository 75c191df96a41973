//! Kept notifications in the embedded store, by (user, id): a user's are
//! one key range, newest last; and by (when made, id), for the purge.

use souk_actors::store::{NotificationStore, StoreError};
use souk_models::{Notification, NotificationId, Timestamp, UserId};

use super::EmbeddedStore;
use super::tables::{NOTIFICATIONS, NOTIFICATIONS_BY_TIME, decode, encode, io, key};

/// A time index key's time: unix nanoseconds, before 1970 as 1970.
fn made(at: Timestamp) -> u64 {
    u64::try_from(at.unix_timestamp_nanos()).unwrap_or(0)
}

#[async_trait::async_trait]
impl NotificationStore for EmbeddedStore {
    async fn add_notifications(&self, notes: &[Notification]) -> Result<(), StoreError> {
        let rows: Vec<((u128, u128), u64, Vec<u8>)> = notes
            .iter()
            .map(|n| {
                Ok((
                    (key(n.user_id.0), key(n.id.0)),
                    made(n.created_at),
                    encode(n)?,
                ))
            })
            .collect::<Result<_, StoreError>>()?;
        self.write(move |txn| {
            let mut table = txn.open_table(NOTIFICATIONS).map_err(io)?;
            let mut by_time = txn.open_table(NOTIFICATIONS_BY_TIME).map_err(io)?;
            for ((user, id), at, bytes) in &rows {
                if table.get((*user, *id)).map_err(io)?.is_none() {
                    table.insert((*user, *id), bytes.as_slice()).map_err(io)?;
                    by_time.insert((*at, *id), *user).map_err(io)?;
                }
            }
            Ok(())
        })
        .await
    }

    async fn list_notifications(
        &self,
        user: UserId,
        before: Option<NotificationId>,
        limit: usize,
    ) -> Result<Vec<Notification>, StoreError> {
        let user = key(user.0);
        let upper = before.map_or(u128::MAX, |b| key(b.0).saturating_sub(1));
        self.read(move |txn| {
            let table = txn.open_table(NOTIFICATIONS).map_err(io)?;
            let rows = table.range((user, 0)..=(user, upper)).map_err(io)?;
            rows.rev()
                .take(limit)
                .map(|row| decode(row.map_err(io)?.1.value()))
                .collect()
        })
        .await
    }

    async fn count_unread(&self, user: UserId, cap: usize) -> Result<usize, StoreError> {
        let user = key(user.0);
        self.read(move |txn| {
            let table = txn.open_table(NOTIFICATIONS).map_err(io)?;
            let mut unread = 0;
            for row in table
                .range((user, 0)..=(user, u128::MAX))
                .map_err(io)?
                .rev()
            {
                let note: Notification = decode(row.map_err(io)?.1.value())?;
                if note.read_at.is_none() {
                    unread += 1;
                    if unread >= cap {
                        break;
                    }
                }
            }
            Ok(unread)
        })
        .await
    }

    async fn mark_read(
        &self,
        user: UserId,
        ids: Option<&[NotificationId]>,
        at: Timestamp,
    ) -> Result<usize, StoreError> {
        let user = key(user.0);
        let ids: Option<Vec<u128>> = ids.map(|ids| ids.iter().map(|i| key(i.0)).collect());
        self.write(move |txn| {
            let mut table = txn.open_table(NOTIFICATIONS).map_err(io)?;
            let keys: Vec<u128> = match ids {
                Some(ids) => ids,
                None => table
                    .range((user, 0)..=(user, u128::MAX))
                    .map_err(io)?
                    .map(|row| Ok(row.map_err(io)?.0.value().1))
                    .collect::<Result<_, StoreError>>()?,
            };
            let mut marked = 0;
            for id in keys {
                let Some(bytes) = table.get((user, id)).map_err(io)? else {
                    continue;
                };
                let mut note: Notification = decode(bytes.value())?;
                if note.read_at.is_none() {
                    note.read_at = Some(at);
                    table
                        .insert((user, id), encode(&note)?.as_slice())
                        .map_err(io)?;
                    marked += 1;
                }
            }
            Ok(marked)
        })
        .await
    }

    async fn purge_notifications(
        &self,
        before: Timestamp,
        limit: usize,
    ) -> Result<usize, StoreError> {
        let until = made(before).saturating_sub(1);
        self.write(move |txn| {
            let mut by_time = txn.open_table(NOTIFICATIONS_BY_TIME).map_err(io)?;
            let gone: Vec<((u64, u128), u128)> = by_time
                .range((0, 0)..=(until, u128::MAX))
                .map_err(io)?
                .take(limit)
                .map(|row| {
                    let (k, user) = row.map_err(io)?;
                    Ok((k.value(), user.value()))
                })
                .collect::<Result<_, StoreError>>()?;
            let mut table = txn.open_table(NOTIFICATIONS).map_err(io)?;
            for ((at, id), user) in &gone {
                by_time.remove((*at, *id)).map_err(io)?;
                table.remove((*user, *id)).map_err(io)?;
            }
            Ok(gone.len())
        })
        .await
    }
}
