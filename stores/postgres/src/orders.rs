//! Orders and carts in the PostgreSQL store: an order's header, its timeline
//! entries, the index of its sellers, and the unpaid deadline while it
//! awaits payment.

use souk_actors::store::{CartStore, OrderStore, StoreError};
use souk_models::{
    Cart, Order, OrderId, OrderStatus, TicketStatus, TimelineEntry, Timestamp, UserId,
};
use time::OffsetDateTime;
use tokio_postgres::Row;
use tokio_postgres::types::Json;
use uuid::Uuid;

use super::PostgresStore;
use super::db::{big, column, count, doc, nanos, opt, rows, to_bigint};

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

/// Places an order in one statement: its header, its timeline entries, the
/// seller index, its buyer's cart emptied and its ticket (same id, if any)
/// completed. Only the header insert decides; the rest is done only if it
/// inserted, so a second placement of one id writes nothing.
const CREATE: &str = "\
WITH placed AS (
    INSERT INTO orders (id, buyer_id, unpaid_deadline_ns, doc) VALUES ($1, $2, $3, $4)
    ON CONFLICT (id) DO NOTHING RETURNING id
), entries AS (
    INSERT INTO order_entries (order_id, seq, doc)
    SELECT placed.id, e.seq, e.doc FROM placed, unnest($5::bigint[], $6::jsonb[]) AS e(seq, doc)
), sellers AS (
    INSERT INTO seller_orders (seller_id, order_id)
    SELECT s.seller, placed.id FROM placed, unnest($7::uuid[]) AS s(seller)
    ON CONFLICT DO NOTHING
), emptied AS (
    DELETE FROM carts WHERE user_id = $2 AND EXISTS (SELECT 1 FROM placed)
), ticket AS (
    UPDATE tickets SET queued = false, doc = jsonb_set(doc, '{status}', $8)
    WHERE id = $1 AND EXISTS (SELECT 1 FROM placed)
)
SELECT count(*) FROM placed";

/// Appends a timeline entry in one statement, if the order exists and the
/// entry's `seq` is one past its last. The header's row lock serialises
/// appends to one order; of two racing appends of one `seq`, the second
/// breaks the `(order_id, seq)` key. Answers whether the order exists, its
/// last `seq` and whether the entry was stored.
const APPEND: &str = "\
WITH header AS (
    SELECT id FROM orders WHERE id = $1 FOR UPDATE
), last AS (
    SELECT coalesce(max(seq), 0) AS seq FROM order_entries WHERE order_id = $1
), appended AS (
    INSERT INTO order_entries (order_id, seq, doc)
    SELECT header.id, $2::bigint, $3::jsonb FROM header, last WHERE last.seq = $2::bigint - 1
    RETURNING seq
), settled AS (
    UPDATE orders SET unpaid_deadline_ns = NULL
    WHERE id = $1 AND $4::boolean AND EXISTS (SELECT 1 FROM appended)
)
SELECT (SELECT count(*) FROM header), (SELECT seq FROM last), (SELECT count(*) FROM appended)";

#[async_trait::async_trait]
impl OrderStore for PostgresStore {
    async fn create_order(&self, order: &Order) -> Result<(), StoreError> {
        let header = Order {
            timeline: vec![],
            ..order.clone()
        };
        let unpaid = (order.status() == OrderStatus::PendingPayment)
            .then(|| nanos(order.payment_deadline))
            .transpose()?;
        let seqs: Vec<i64> = order
            .timeline
            .iter()
            .map(|e| to_bigint(e.seq, "timeline entry"))
            .collect::<Result<_, _>>()?;
        let entries: Vec<Json<&TimelineEntry>> = order.timeline.iter().map(Json).collect();
        let sellers: Vec<Uuid> = order.sellers().iter().map(|s| s.0).collect();
        let completed = TicketStatus::Completed { order_id: order.id };
        let answered = self
            .write_rows(
                CREATE,
                &[
                    &order.id.0,
                    &order.buyer_id.0,
                    &unpaid,
                    &Json(&header),
                    &seqs,
                    &entries,
                    &sellers,
                    &Json(&completed),
                ],
            )
            .await?;
        match answered.first().map(count).transpose()? {
            Some(1) => Ok(()),
            _ => Err(StoreError::Conflict("order id already exists".into())),
        }
    }

    async fn append_order_entry(
        &self,
        order: OrderId,
        entry: &TimelineEntry,
    ) -> Result<(), StoreError> {
        let seq = to_bigint(entry.seq, "timeline entry")?;
        let settles = entry.status != OrderStatus::PendingPayment;
        let found = self
            .write_rows(APPEND, &[&order.0, &seq, &Json(entry), &settles])
            .await?;
        let row = found
            .first()
            .ok_or_else(|| StoreError::Corrupt("an append answered no row".into()))?;
        let (exists, last, appended): (i64, i64, i64) =
            (column(row, 0)?, column(row, 1)?, column(row, 2)?);
        match (exists, appended) {
            (0, _) => Err(StoreError::NotFound),
            (_, 0) => Err(StoreError::Conflict(format!(
                "expected entry {}, got {}",
                last + 1,
                entry.seq
            ))),
            _ => Ok(()),
        }
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

#[async_trait::async_trait]
impl CartStore for PostgresStore {
    async fn get_cart(&self, user: UserId) -> Result<Option<Cart>, StoreError> {
        let client = self.client().await?;
        let row = opt(
            &client,
            "SELECT doc FROM carts WHERE user_id = $1",
            &[&user.0],
        )
        .await?;
        row.map(|r| doc(&r, 0)).transpose()
    }

    async fn put_cart(&self, cart: &Cart) -> Result<(), StoreError> {
        if cart.lines.is_empty() {
            self.write_one("DELETE FROM carts WHERE user_id = $1", &[&cart.user_id.0])
                .await?;
        } else {
            self.write_one(
                "INSERT INTO carts (user_id, doc) VALUES ($1, $2) \
                 ON CONFLICT (user_id) DO UPDATE SET doc = EXCLUDED.doc",
                &[&cart.user_id.0, &Json(cart)],
            )
            .await?;
        }
        Ok(())
    }
}
