//! The mail outbox in the PostgreSQL store (`schema_2.sql`): one row per
//! message, its document beside `due_ns` (set only while it is open) and
//! `created_ns`. A message caused by an order is inserted by the statement
//! that places the order or appends its entry (`orders.rs`), joined to the
//! rows that statement stored, so it commits with its cause or not at all.

use souk_actors::store::{OutboxMail, OutboxStore, StoreError};
use souk_models::Timestamp;
use tokio_postgres::types::Json;
use uuid::Uuid;

use super::PostgresStore;
use super::db::{big, column, doc, docs, nanos, opt, rows};

/// Stores new messages, leaving any whose id is stored as they are.
const ENQUEUE: &str = "\
INSERT INTO outbox (id, due_ns, created_ns, doc)
SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::jsonb[])
ON CONFLICT (id) DO NOTHING";

/// Replaces a message if its stored document is still `$2`. Answers
/// whether it did, and whether the message exists at all (the outer query
/// sees the table as it was before the update).
const UPDATE: &str = "\
WITH updated AS (
    UPDATE outbox SET due_ns = $3, created_ns = $4, doc = $5
    WHERE id = $1 AND doc = $2::jsonb
    RETURNING id
)
SELECT EXISTS (SELECT 1 FROM updated), EXISTS (SELECT 1 FROM outbox WHERE id = $1)";

/// Deletes up to `$2` finished messages created before `$1`.
const PURGE: &str = "\
DELETE FROM outbox WHERE id IN (
    SELECT id FROM outbox WHERE due_ns IS NULL AND created_ns < $1 LIMIT $2
)";

/// The `due_ns` column of a message: when the worker next looks at it
/// while it is open, nothing once it is finished.
fn due_ns(mail: &OutboxMail) -> Result<Option<i64>, StoreError> {
    mail.is_open().then(|| nanos(mail.due_at)).transpose()
}

/// Fails if a message's times do not fit its columns. Checked before a
/// message joins a shared statement, so that it fails alone.
pub(super) fn check(mail: &[OutboxMail]) -> Result<(), StoreError> {
    for m in mail {
        nanos(m.created_at)?;
        nanos(m.due_at)?;
    }
    Ok(())
}

/// Messages as the columns of an array-valued insert, each with the id of
/// its cause (an order; nil when it has none), in message id order so two
/// statements that share one take its lock in one order.
#[derive(Default)]
pub(super) struct MailColumns {
    pub causes: Vec<Uuid>,
    pub ids: Vec<Uuid>,
    pub due: Vec<Option<i64>>,
    pub created: Vec<i64>,
    pub docs: Vec<Json<OutboxMail>>,
}

impl MailColumns {
    pub fn new(mut mail: Vec<(Uuid, OutboxMail)>) -> Result<Self, StoreError> {
        mail.sort_by_key(|(_, m)| m.id);
        let mut c = Self::default();
        for (cause, m) in mail {
            c.causes.push(cause);
            c.ids.push(m.id);
            c.due.push(due_ns(&m)?);
            c.created.push(nanos(m.created_at)?);
            c.docs.push(Json(m));
        }
        Ok(c)
    }
}

#[async_trait::async_trait]
impl OutboxStore for PostgresStore {
    async fn enqueue_mail(&self, mail: &[OutboxMail]) -> Result<(), StoreError> {
        if mail.is_empty() {
            return Ok(());
        }
        let c = MailColumns::new(mail.iter().map(|m| (Uuid::nil(), m.clone())).collect())?;
        self.write_one(ENQUEUE, &[&c.ids, &c.due, &c.created, &c.docs])
            .await?;
        Ok(())
    }

    async fn due_mail(&self, now: Timestamp, limit: usize) -> Result<Vec<OutboxMail>, StoreError> {
        let client = self.client().await?;
        let found = rows(
            &client,
            "SELECT doc FROM outbox WHERE due_ns IS NOT NULL AND due_ns <= $1 \
             ORDER BY due_ns, id LIMIT $2",
            &[&nanos(now)?, &big(limit)],
        )
        .await?;
        docs(&found, 0)
    }

    async fn update_mail(
        &self,
        current: &OutboxMail,
        next: &OutboxMail,
    ) -> Result<bool, StoreError> {
        if next.id != current.id {
            return Err(StoreError::Conflict("a message's id cannot change".into()));
        }
        let found = self
            .write_rows(
                UPDATE,
                &[
                    &current.id,
                    &Json(current),
                    &due_ns(next)?,
                    &nanos(next.created_at)?,
                    &Json(next),
                ],
            )
            .await?;
        let row = found
            .first()
            .ok_or_else(|| StoreError::Corrupt("a mail update went unanswered".into()))?;
        let (updated, exists): (bool, bool) = (column(row, 0)?, column(row, 1)?);
        match (updated, exists) {
            (true, _) => Ok(true),
            (false, true) => Ok(false),
            (false, false) => Err(StoreError::NotFound),
        }
    }

    async fn get_mail(&self, id: Uuid) -> Result<Option<OutboxMail>, StoreError> {
        let client = self.client().await?;
        let row = opt(&client, "SELECT doc FROM outbox WHERE id = $1", &[&id]).await?;
        row.map(|r| doc(&r, 0)).transpose()
    }

    async fn list_mail(
        &self,
        before: Option<Uuid>,
        limit: usize,
    ) -> Result<Vec<OutboxMail>, StoreError> {
        let client = self.client().await?;
        let before = before.unwrap_or(Uuid::max());
        let found = rows(
            &client,
            "SELECT doc FROM outbox WHERE id < $1 ORDER BY id DESC LIMIT $2",
            &[&before, &big(limit)],
        )
        .await?;
        docs(&found, 0)
    }

    async fn purge_mail(&self, before: Timestamp, limit: usize) -> Result<usize, StoreError> {
        let purged = self
            .write_one(PURGE, &[&nanos(before)?, &big(limit)])
            .await?;
        Ok(usize::try_from(purged).unwrap_or(usize::MAX))
    }
}

#[cfg(test)]
mod tests {
    use souk_actors::store::conformance::order;
    use souk_actors::store::{MailAbout, MailState, OrderStore};
    use souk_models::{Order, OrderId, OrderStatus, TimelineKind, UserId};
    use time::OffsetDateTime;

    use super::*;
    use crate::orders::{append_entries, place_orders};
    use crate::testing::TestDatabase;

    fn mail_about(order: &Order, seq: u64) -> OutboxMail {
        let now = OffsetDateTime::now_utc();
        let about = MailAbout::Order {
            order_id: order.id,
            seq,
            at: now,
        };
        OutboxMail::new(order.buyer_id, about, now, now)
    }

    async fn stored(store: &PostgresStore, mail: &OutboxMail) -> bool {
        store.get_mail(mail.id).await.expect("read").is_some()
    }

    /// Rows that share one statement: only those it stores bring their mail.
    #[tokio::test]
    async fn a_shared_statement_stores_the_mail_of_the_rows_it_stores_only() {
        let Some(database) = TestDatabase::create().await else {
            return;
        };
        let store = database.store().await;
        let (taken, fresh) = (order(UserId::new(), &[]), order(UserId::new(), &[]));
        store.create_order(&taken, &[]).await.expect("placed");
        let (lost, placed) = (mail_about(&taken, 1), mail_about(&fresh, 1));
        let rows = vec![
            (taken.clone(), vec![lost.clone()]),
            (fresh.clone(), vec![placed.clone()]),
        ];
        let outcomes = place_orders(store.clone(), rows).await.expect("ran");
        assert!(matches!(outcomes[0], Err(StoreError::Conflict(_))));
        assert_eq!(outcomes[1], Ok(()));
        assert!(!stored(&store, &lost).await);
        assert!(stored(&store, &placed).await);

        let now = OffsetDateTime::now_utc();
        let paid = fresh.entry(
            OrderStatus::Paid,
            TimelineKind::PaymentSucceeded { event: None },
            now,
        );
        let mut gap = taken.entry(OrderStatus::Paid, TimelineKind::Placed, now);
        gap.seq += 1;
        let ghost = OrderId::new();
        let (receipt, skipped, unknown) = (
            mail_about(&fresh, 2),
            mail_about(&taken, 3),
            mail_about(&fresh, 2),
        );
        let rows = vec![
            (fresh.id, paid.clone(), vec![receipt.clone()]),
            (taken.id, gap, vec![skipped.clone()]),
            (ghost, paid, vec![unknown.clone()]),
        ];
        let outcomes = append_entries(store.clone(), rows).await.expect("ran");
        assert_eq!(outcomes[0], Ok(()));
        assert!(matches!(outcomes[1], Err(StoreError::Conflict(_))));
        assert_eq!(outcomes[2], Err(StoreError::NotFound));
        assert!(stored(&store, &receipt).await);
        assert!(!stored(&store, &skipped).await);
        assert!(!stored(&store, &unknown).await);
    }

    /// `due_ns` follows the state: set while open, cleared once finished.
    #[tokio::test]
    async fn only_open_mail_is_in_the_due_index() {
        let Some(database) = TestDatabase::create().await else {
            return;
        };
        let store = database.store().await;
        let open = mail_about(&order(UserId::new(), &[]), 1);
        store
            .enqueue_mail(std::slice::from_ref(&open))
            .await
            .expect("enqueued");
        let sent = OutboxMail {
            state: MailState::Sent,
            finished_at: Some(OffsetDateTime::now_utc()),
            ..open.clone()
        };
        let due = "SELECT coalesce(due_ns::text, 'none') FROM outbox";
        let before = database.query_strings(due).await;
        assert_eq!(before, [nanos(open.due_at).expect("in range").to_string()]);
        assert!(store.update_mail(&open, &sent).await.expect("updated"));
        assert_eq!(database.query_strings(due).await, ["none"]);
        let moved = OutboxMail {
            id: Uuid::now_v7(),
            ..sent.clone()
        };
        assert!(matches!(
            store.update_mail(&sent, &moved).await,
            Err(StoreError::Conflict(_))
        ));
    }
}
