//! Orders in the PostgreSQL store: an order's header, its timeline
//! entries, the index of its sellers, and the unpaid deadline while it
//! awaits payment. The mail a placement or an append sends is inserted by
//! the same statement, for the rows it stored only.

use souk_actors::store::{OrderStore, OutboxMail, StoreError};
use std::collections::{HashMap, HashSet};

use souk_models::{Order, OrderId, OrderStatus, TicketStatus, TimelineEntry, Timestamp, UserId};
use time::OffsetDateTime;
use tokio_postgres::Row;
use tokio_postgres::types::Json;
use uuid::Uuid;

use super::PostgresStore;
use super::batch::{Outcomes, Run};
use super::db::{big, column, doc, nanos, opt, rows, to_bigint};
use super::outbox::{self, MailColumns};

/// An order's header and its timeline, from rows of `(doc, entries)` where
/// `entries` is the timeline's documents as a JSON array in order.
pub(super) fn order(row: &Row) -> Result<Order, StoreError> {
    let mut order: Order = doc(row, 0)?;
    order.timeline = doc(row, 1)?;
    Ok(order)
}

/// Selects orders with their timelines; callers add `WHERE`, `ORDER BY` and
/// `LIMIT`.
pub(super) const WITH_TIMELINE: &str = "SELECT o.doc, coalesce((SELECT jsonb_agg(e.doc ORDER BY e.seq) \
                             FROM order_entries e WHERE e.order_id = o.id), '[]'::jsonb) \
                             FROM orders o";

/// Places orders in one statement: their headers, timeline entries, seller
/// index rows and mail, each buyer's cart emptied and each order's ticket
/// (same id, if any) completed. Only the header inserts decide; the rest is
/// done only for the orders they inserted, so a second placement of one id
/// writes nothing (not even its mail). Answers the ids placed.
const PLACE: &str = "\
WITH input AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::jsonb[], $5::jsonb[])
        AS i(id, buyer_id, deadline, doc, completed)
), placed AS (
    INSERT INTO orders (id, buyer_id, unpaid_deadline_ns, doc)
    SELECT id, buyer_id, deadline, doc FROM input
    ON CONFLICT (id) DO NOTHING RETURNING id, buyer_id
), entries AS (
    INSERT INTO order_entries (order_id, seq, doc)
    SELECT e.order_id, e.seq, e.doc
    FROM unnest($6::uuid[], $7::bigint[], $8::jsonb[]) AS e(order_id, seq, doc)
    JOIN placed ON placed.id = e.order_id
), sellers AS (
    INSERT INTO seller_orders (seller_id, order_id)
    SELECT s.seller_id, s.order_id FROM unnest($9::uuid[], $10::uuid[]) AS s(seller_id, order_id)
    JOIN placed ON placed.id = s.order_id
    ON CONFLICT DO NOTHING
), emptied AS (
    DELETE FROM carts WHERE user_id IN (SELECT buyer_id FROM placed)
), ticket AS (
    UPDATE tickets SET queued = false, doc = jsonb_set(tickets.doc, '{status}', input.completed)
    FROM input JOIN placed ON placed.id = input.id
    WHERE tickets.id = input.id
), mailed AS (
    INSERT INTO outbox (id, due_ns, created_ns, doc)
    SELECT m.id, m.due_ns, m.created_ns, m.doc
    FROM unnest($11::uuid[], $12::uuid[], $13::bigint[], $14::bigint[], $15::jsonb[])
        AS m(order_id, id, due_ns, created_ns, doc)
    JOIN placed ON placed.id = m.order_id
    ON CONFLICT (id) DO NOTHING
)
SELECT id FROM placed";

/// Appends timeline entries (at most one per order) in one statement, each
/// if its order exists and its `seq` is one past the order's last, with
/// its mail if it is. The headers' row locks serialise appends to one
/// order; of two racing appends of one `seq`, the second is not inserted
/// (nor its mail). Answers, per entry, whether its order exists, its last
/// `seq` and whether the entry was stored.
const APPEND: &str = "\
WITH input AS (
    SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::jsonb[], $4::boolean[])
        AS i(order_id, seq, doc, settles)
), header AS (
    SELECT id FROM orders WHERE id IN (SELECT order_id FROM input) ORDER BY id FOR UPDATE
), last AS (
    SELECT i.order_id, coalesce((SELECT max(e.seq) FROM order_entries e
                                 WHERE e.order_id = i.order_id), 0) AS seq
    FROM input i
), appended AS (
    INSERT INTO order_entries (order_id, seq, doc)
    SELECT i.order_id, i.seq, i.doc FROM input i
    JOIN header h ON h.id = i.order_id JOIN last l ON l.order_id = i.order_id
    WHERE l.seq = i.seq - 1
    ON CONFLICT (order_id, seq) DO NOTHING
    RETURNING order_id
), settled AS (
    UPDATE orders SET unpaid_deadline_ns = NULL
    WHERE id IN (SELECT a.order_id FROM appended a JOIN input i ON i.order_id = a.order_id
                 WHERE i.settles)
), mailed AS (
    INSERT INTO outbox (id, due_ns, created_ns, doc)
    SELECT m.id, m.due_ns, m.created_ns, m.doc
    FROM unnest($5::uuid[], $6::uuid[], $7::bigint[], $8::bigint[], $9::jsonb[])
        AS m(order_id, id, due_ns, created_ns, doc)
    JOIN appended a ON a.order_id = m.order_id
    ON CONFLICT (id) DO NOTHING
)
SELECT i.order_id, h.id IS NOT NULL, l.seq, a.order_id IS NOT NULL
FROM input i
LEFT JOIN header h ON h.id = i.order_id
LEFT JOIN last l ON l.order_id = i.order_id
LEFT JOIN appended a ON a.order_id = i.order_id";

/// An order to place, with the mail placing it sends.
pub(super) type Placement = (Order, Vec<OutboxMail>);

/// A timeline entry to append to an order, with the mail it sends.
pub(super) type Append = (OrderId, TimelineEntry, Vec<OutboxMail>);

/// The batch runner that places orders.
pub(super) fn place_orders(store: PostgresStore, orders: Vec<Placement>) -> Run<()> {
    Box::pin(async move { store.place(orders).await })
}

/// The batch runner that appends timeline entries.
pub(super) fn append_entries(store: PostgresStore, entries: Vec<Append>) -> Run<()> {
    Box::pin(async move { store.append(entries).await })
}

impl PostgresStore {
    async fn place(&self, placements: Vec<Placement>) -> Outcomes<()> {
        let asked: Vec<Uuid> = placements.iter().map(|(o, _)| o.id.0).collect();
        let mut orders = Vec::with_capacity(placements.len());
        let mut mail = Vec::new();
        for (order, sent) in placements {
            mail.extend(sent.into_iter().map(|m| (order.id.0, m)));
            orders.push(order);
        }
        let mail = MailColumns::new(mail)?;
        // Rows in key order, so two statements lock what they share in one order.
        orders.sort_by_key(|o| o.id);
        let (mut ids, mut buyers, mut deadlines, mut completed) = (vec![], vec![], vec![], vec![]);
        let (mut entry_orders, mut seqs, mut entries) = (vec![], vec![], vec![]);
        let (mut sellers, mut seller_orders) = (vec![], vec![]);
        for order in &mut orders {
            let timeline = std::mem::take(&mut order.timeline);
            ids.push(order.id.0);
            buyers.push(order.buyer_id.0);
            deadlines.push(
                (order.status() == OrderStatus::PendingPayment)
                    .then(|| nanos(order.payment_deadline))
                    .transpose()?,
            );
            completed.push(Json(TicketStatus::Completed { order_id: order.id }));
            for seller in order.sellers() {
                sellers.push(seller.0);
                seller_orders.push(order.id.0);
            }
            for entry in timeline {
                entry_orders.push(order.id.0);
                seqs.push(to_bigint(entry.seq, "timeline entry")?);
                entries.push(Json(entry));
            }
        }
        let headers: Vec<Json<&Order>> = orders.iter().map(Json).collect();
        let placed = self
            .write_rows(
                PLACE,
                &[
                    &ids,
                    &buyers,
                    &deadlines,
                    &headers,
                    &completed,
                    &entry_orders,
                    &seqs,
                    &entries,
                    &sellers,
                    &seller_orders,
                    &mail.causes,
                    &mail.ids,
                    &mail.due,
                    &mail.created,
                    &mail.docs,
                ],
            )
            .await?;
        let placed: HashSet<Uuid> = placed
            .iter()
            .map(|row| column(row, 0))
            .collect::<Result<_, _>>()?;
        Ok(asked
            .iter()
            .map(|id| match placed.contains(id) {
                true => Ok(()),
                false => Err(StoreError::Conflict("order id already exists".into())),
            })
            .collect())
    }

    async fn append(&self, appends: Vec<Append>) -> Outcomes<()> {
        let mut entries = Vec::with_capacity(appends.len());
        let mut mail = Vec::new();
        for (order, entry, sent) in appends {
            mail.extend(sent.into_iter().map(|m| (order.0, m)));
            entries.push((order, entry));
        }
        let mail = MailColumns::new(mail)?;
        let mut ids = Vec::with_capacity(entries.len());
        let mut seqs = Vec::with_capacity(entries.len());
        let mut settles = Vec::with_capacity(entries.len());
        for (order, entry) in &entries {
            ids.push(order.0);
            seqs.push(to_bigint(entry.seq, "timeline entry")?);
            settles.push(entry.status != OrderStatus::PendingPayment);
        }
        let docs: Vec<Json<&TimelineEntry>> = entries.iter().map(|(_, e)| Json(e)).collect();
        let found = self
            .write_rows(
                APPEND,
                &[
                    &ids,
                    &seqs,
                    &docs,
                    &settles,
                    &mail.causes,
                    &mail.ids,
                    &mail.due,
                    &mail.created,
                    &mail.docs,
                ],
            )
            .await?;
        let mut answers = HashMap::with_capacity(found.len());
        for row in &found {
            let id: Uuid = column(row, 0)?;
            let (exists, appended): (bool, bool) = (column(row, 1)?, column(row, 3)?);
            answers.insert(id, (exists, column::<i64>(row, 2)?, appended));
        }
        Ok(entries
            .iter()
            .map(|(order, entry)| match answers.get(&order.0) {
                Some((false, _, _)) => Err(StoreError::NotFound),
                Some((true, last, false)) => Err(StoreError::Conflict(format!(
                    "expected entry {}, got {}",
                    last + 1,
                    entry.seq
                ))),
                Some((true, _, true)) => Ok(()),
                None => Err(StoreError::Corrupt("an append went unanswered".into())),
            })
            .collect())
    }
}

#[async_trait::async_trait]
impl OrderStore for PostgresStore {
    async fn create_order(&self, order: &Order, mail: &[OutboxMail]) -> Result<(), StoreError> {
        // Checked here, so one order that cannot be stored fails alone
        // instead of the shared statement it would join.
        nanos(order.payment_deadline)?;
        for entry in &order.timeline {
            to_bigint(entry.seq, "timeline entry")?;
        }
        outbox::check(mail)?;
        self.batched(|b| &b.orders, place_orders, (order.clone(), mail.to_vec()))
            .await
    }

    async fn append_order_entry(
        &self,
        order: OrderId,
        entry: &TimelineEntry,
        mail: &[OutboxMail],
    ) -> Result<(), StoreError> {
        to_bigint(entry.seq, "timeline entry")?;
        outbox::check(mail)?;
        let row = (order, entry.clone(), mail.to_vec());
        self.batched(|b| &b.appends, append_entries, row).await
    }

    async fn get_order(&self, id: OrderId) -> Result<Option<Order>, StoreError> {
        let client = self.client().await?;
        let sql = format!("{WITH_TIMELINE} WHERE o.id = $1");
        let row = opt(&client, &sql, &[&id.0]).await?;
        row.map(|r| order(&r)).transpose()
    }

    async fn list_buyer_orders(
        &self,
        buyer: UserId,
        before: Option<OrderId>,
        limit: usize,
    ) -> Result<Vec<Order>, StoreError> {
        self.newest(
            "WHERE o.buyer_id = $1 AND o.id < $2 ORDER BY o.id DESC",
            buyer,
            before,
            limit,
        )
        .await
    }

    async fn list_seller_orders(
        &self,
        seller: UserId,
        before: Option<OrderId>,
        limit: usize,
    ) -> Result<Vec<Order>, StoreError> {
        self.newest(
            "JOIN seller_orders s ON s.order_id = o.id \
             WHERE s.seller_id = $1 AND s.order_id < $2 ORDER BY s.order_id DESC",
            seller,
            before,
            limit,
        )
        .await
    }

    async fn list_orders(
        &self,
        before: Option<OrderId>,
        limit: usize,
    ) -> Result<Vec<Order>, StoreError> {
        let client = self.client().await?;
        let before = before.map_or(Uuid::max(), |b| b.0);
        let sql = format!("{WITH_TIMELINE} WHERE o.id < $1 ORDER BY o.id DESC LIMIT $2");
        let found = rows(&client, &sql, &[&before, &big(limit)]).await?;
        found.iter().map(order).collect()
    }

    async fn list_unpaid_orders(&self) -> Result<Vec<(OrderId, Timestamp)>, StoreError> {
        let client = self.client().await?;
        let found = rows(
            &client,
            "SELECT id, unpaid_deadline_ns FROM orders WHERE unpaid_deadline_ns IS NOT NULL \
             ORDER BY id",
            &[],
        )
        .await?;
        found
            .iter()
            .map(|row| {
                let nanos: i64 = column(row, 1)?;
                let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(nanos))
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                Ok((OrderId(column(row, 0)?), at))
            })
            .collect()
    }
}

impl PostgresStore {
    /// An owner's orders older than `before`, newest first: `filter` selects
    /// by owner (`$1`) and cursor (`$2`) and orders the rows.
    async fn newest(
        &self,
        filter: &str,
        owner: UserId,
        before: Option<OrderId>,
        limit: usize,
    ) -> Result<Vec<Order>, StoreError> {
        let client = self.client().await?;
        let before = before.map_or(Uuid::max(), |b| b.0);
        let sql = format!("{WITH_TIMELINE} {filter} LIMIT $3");
        let found = rows(&client, &sql, &[&owner.0, &before, &big(limit)]).await?;
        found.iter().map(order).collect()
    }
}
