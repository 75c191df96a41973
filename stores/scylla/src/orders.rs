//! Orders and carts in the ScyllaDB store.
//!
//! An order is one partition of `orders`: its header (a static column) and
//! its timeline entries by `seq`. Placing it is a conditional batch on that
//! partition (`IF NOT EXISTS` on the header), so of two placements of one
//! id exactly one lands; an append is `IF NOT EXISTS` on its `seq`, so two
//! writers can never both extend one timeline.
//!
//! Placing an order writes four times: first the index rows that list it
//! (buyer, sellers, unpaid), then its mail, then the order, then its ticket
//! completed and its buyer's cart emptied. A crash between them leaves
//! either index rows naming no order (readers skip them, and the ticket,
//! still queued, places the order again after a restart), mail whose order
//! is not stored (which the mail worker drops, see outbox.rs), or a placed
//! order whose ticket is still queued (which the checkout pipeline
//! completes after a restart).
//!
//! The mail of an order or an entry is stored before it, as no batch with
//! a condition may span partitions: an acknowledged order or entry always
//! has its mail. When the order or entry then loses its race (`Conflict`)
//! or is fenced, the mail this call stored is deleted again; only a crash
//! or a failed request in between leaves it (for the worker to drop).

use futures::future::try_join_all;
use futures::stream::{self, StreamExt, TryStreamExt};
use souk_actors::store::{CartStore, OrderStore, OutboxMail, StoreError};
use souk_models::{
    Cart, Order, OrderId, OrderStatus, TicketStatus, TimelineEntry, Timestamp, UserId,
};

use super::ScyllaStore;
use super::db::{Write, key, vals};
use super::docs::{from_doc, to_bigint, to_doc};
use super::series::{self, Direction};

/// Every unpaid order, in one series.
pub(crate) const UNPAID: &str = "unpaid";

/// Every order, in one series (hour buckets keep its partitions small).
pub(crate) const ALL: &str = "orders";

pub(crate) fn buyer_series(buyer: UserId) -> String {
    format!("buyer/{}", buyer.0.simple())
}

pub(crate) fn seller_series(seller: UserId) -> String {
    format!("seller/{}", seller.0.simple())
}

/// The index rows that list `order`: among all orders, by buyer, by each
/// seller, and unpaid while it awaits payment.
pub(crate) fn index_writes(order: &Order) -> Result<Vec<Write>, StoreError> {
    let bucket = series::bucket_of_id(order.id.0);
    let mut writes = Vec::new();
    writes.extend(series::add(ALL, bucket, key(order.id.0), None));
    writes.extend(series::add(
        &buyer_series(order.buyer_id),
        bucket,
        key(order.id.0),
        None,
    ));
    for seller in order.sellers() {
        writes.extend(series::add(
            &seller_series(seller),
            bucket,
            key(order.id.0),
            None,
        ));
    }
    if order.status() == OrderStatus::PendingPayment {
        let deadline = super::docs::nanos(order.payment_deadline)?;
        writes.extend(series::add(UNPAID, bucket, key(order.id.0), Some(deadline)));
    }
    Ok(writes)
}

/// A (non-empty) cart, replacing its user's.
pub(crate) fn cart_write(cart: &Cart) -> Result<Write, StoreError> {
    Ok(Write::new(
        "INSERT INTO carts (user_id, doc) VALUES (?, ?)",
        vals![cart.user_id.0, to_doc(cart)?],
    ))
}

/// The order's partition: its header, then each entry.
pub(crate) fn order_writes(order: &Order, conditional: bool) -> Result<Vec<Write>, StoreError> {
    let header = Order {
        timeline: vec![],
        ..order.clone()
    };
    let mut writes = vec![Write::new(
        if conditional {
            "INSERT INTO orders (id, header) VALUES (?, ?) IF NOT EXISTS"
        } else {
            "INSERT INTO orders (id, header) VALUES (?, ?)"
        },
        vals![order.id.0, to_doc(&header)?],
    )];
    for entry in &order.timeline {
        writes.push(Write::new(
            "INSERT INTO orders (id, seq, entry) VALUES (?, ?, ?)",
            vals![
                order.id.0,
                to_bigint(entry.seq, "a timeline entry")?,
                to_doc(entry)?
            ],
        ));
    }
    Ok(writes)
}

/// An order from its partition's rows of `(header, seq, entry)`.
pub(crate) fn order_from_rows(
    rows: Vec<(Option<String>, Option<i64>, Option<String>)>,
) -> Result<Option<Order>, StoreError> {
    let Some(header) = rows.first().and_then(|(h, _, _)| h.clone()) else {
        return Ok(None);
    };
    let mut order: Order = from_doc(&header)?;
    for (_, _, entry) in rows {
        if let Some(entry) = entry {
            order.timeline.push(from_doc(&entry)?);
        }
    }
    Ok(Some(order))
}

impl ScyllaStore {
    /// Orders of series `name` older than `before`, newest first, that
    /// `keep` accepts (the index may name orders that are not, or no longer,
    /// what it lists).
    async fn newest(
        &self,
        name: &str,
        before: Option<OrderId>,
        limit: usize,
        keep: impl Fn(&Order) -> bool,
    ) -> Result<Vec<Order>, StoreError> {
        let mut found = Vec::new();
        let mut cursor = before.map(|b| b.0);
        while found.len() < limit {
            let want = limit - found.len();
            let ids = self
                .series_page(name, cursor, Direction::Down, want)
                .await?;
            let Some(last) = ids.last() else { break };
            cursor = Some(*last);
            let orders = try_join_all(ids.iter().map(|id| self.get_order(OrderId(*id)))).await?;
            found.extend(orders.into_iter().flatten().filter(|o| keep(o)));
            if ids.len() < want {
                break;
            }
        }
        Ok(found)
    }

    /// The ticket with the order's id completed (if there is one), and the
    /// buyer's cart emptied.
    async fn settle_checkout(&self, order: &Order) -> Result<(), StoreError> {
        let mut writes = vec![Write::new(
            "DELETE FROM carts WHERE user_id = ?",
            vals![order.buyer_id.0],
        )];
        if let Some(ticket) = self.get_ticket(order.id.0).await? {
            let completed = TicketStatus::Completed { order_id: order.id };
            writes.extend(super::tickets::status_writes(ticket, completed)?);
        }
        self.batch(writes).await?;
        Ok(())
    }
}

use souk_actors::store::TicketStore;

#[async_trait::async_trait]
impl OrderStore for ScyllaStore {
    async fn create_order(&self, order: &Order, mail: &[OutboxMail]) -> Result<(), StoreError> {
        let (index, placement) = (index_writes(order)?, order_writes(order, true)?);
        self.batch(index).await?;
        let stored = self.store_mail(mail).await?;
        let placed = self.batch(placement).await;
        if !self.cause_outcome(placed, &stored).await? {
            return Err(StoreError::Conflict("order id already exists".into()));
        }
        self.settle_checkout(order).await
    }

    async fn append_order_entry(
        &self,
        order: OrderId,
        entry: &TimelineEntry,
        mail: &[OutboxMail],
    ) -> Result<(), StoreError> {
        let seq = to_bigint(entry.seq, "a timeline entry")?;
        let doc = to_doc(entry)?;
        let last: Option<(Option<String>, Option<i64>)> = self
            .db
            .opt(
                "SELECT header, seq FROM orders WHERE id = ? ORDER BY seq DESC LIMIT 1",
                vals![order.0],
            )
            .await?;
        let last = match last {
            Some((Some(_), seq)) => seq.unwrap_or(0),
            _ => return Err(StoreError::NotFound),
        };
        let conflict =
            || StoreError::Conflict(format!("expected entry {}, got {}", last + 1, entry.seq));
        if seq != last + 1 {
            return Err(conflict());
        }
        let stored = self.store_mail(mail).await?;
        let appended = self
            .lwt(
                "INSERT INTO orders (id, seq, entry) VALUES (?, ?, ?) IF NOT EXISTS",
                vals![order.0, seq, doc],
            )
            .await;
        if !self.cause_outcome(appended, &stored).await? {
            return Err(conflict());
        }
        if entry.status != OrderStatus::PendingPayment {
            let gone = series::remove(UNPAID, series::bucket_of_id(order.0), key(order.0));
            self.batch(vec![gone]).await?;
        }
        Ok(())
    }

    async fn get_order(&self, id: OrderId) -> Result<Option<Order>, StoreError> {
        let rows = self
            .db
            .rows(
                "SELECT header, seq, entry FROM orders WHERE id = ?",
                vals![id.0],
            )
            .await?;
        order_from_rows(rows)
    }

    async fn list_buyer_orders(
        &self,
        buyer: UserId,
        before: Option<OrderId>,
        limit: usize,
    ) -> Result<Vec<Order>, StoreError> {
        self.newest(&buyer_series(buyer), before, limit, |o| o.buyer_id == buyer)
            .await
    }

    async fn list_seller_orders(
        &self,
        seller: UserId,
        before: Option<OrderId>,
        limit: usize,
    ) -> Result<Vec<Order>, StoreError> {
        self.newest(&seller_series(seller), before, limit, |o| {
            o.sellers().contains(&seller)
        })
        .await
    }

    async fn list_orders(
        &self,
        before: Option<OrderId>,
        limit: usize,
    ) -> Result<Vec<Order>, StoreError> {
        self.newest(ALL, before, limit, |_| true).await
    }

    /// Read from the `unpaid` series, each checked against its order.
    async fn list_unpaid_orders(&self) -> Result<Vec<(OrderId, Timestamp)>, StoreError> {
        let ids = self
            .series_all(UNPAID)
            .await?
            .iter()
            .map(|(_, id, _)| super::db::id(id).map(OrderId))
            .collect::<Result<Vec<_>, _>>()?;
        let orders: Vec<Option<Order>> = stream::iter(ids.into_iter().map(|id| self.get_order(id)))
            .buffered(super::READS_AT_ONCE)
            .try_collect()
            .await?;
        let mut unpaid: Vec<(OrderId, Timestamp)> = orders
            .into_iter()
            .flatten()
            .filter(|o| o.status() == OrderStatus::PendingPayment)
            .map(|o| (o.id, o.payment_deadline))
            .collect();
        unpaid.sort_by_key(|(id, _)| *id);
        Ok(unpaid)
    }
}

#[async_trait::async_trait]
impl CartStore for ScyllaStore {
    async fn get_cart(&self, user: UserId) -> Result<Option<Cart>, StoreError> {
        let row: Option<(String,)> = self
            .db
            .opt("SELECT doc FROM carts WHERE user_id = ?", vals![user.0])
            .await?;
        row.map(|(doc,)| from_doc(&doc)).transpose()
    }

    async fn put_cart(&self, cart: &Cart) -> Result<(), StoreError> {
        if cart.lines.is_empty() {
            self.write("DELETE FROM carts WHERE user_id = ?", vals![cart.user_id.0])
                .await
        } else {
            let write = cart_write(cart)?;
            self.write(write.cql, write.values).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partition_without_a_header_is_no_order() {
        assert_eq!(order_from_rows(vec![]).ok(), Some(None));
        assert_eq!(
            order_from_rows(vec![(None, Some(1), Some("{}".into()))]).ok(),
            Some(None)
        );
        assert!(matches!(
            order_from_rows(vec![(Some("not json".into()), None, None)]),
            Err(StoreError::Corrupt(_))
        ));
    }

    #[test]
    fn series_names_are_per_buyer_and_per_seller() {
        let user = UserId::new();
        assert_eq!(buyer_series(user), format!("buyer/{}", user.0.simple()));
        assert_ne!(buyer_series(user), seller_series(user));
    }
}
