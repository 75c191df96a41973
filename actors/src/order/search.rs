//! Finding orders for admins: by status, buyer, seller, product and date
//! range, newest first, a page at a time. A buyer or a seller narrows the
//! scan to their index; the other filters are checked order by order, with
//! a bound on how many one page reads, so a rare match never makes a
//! request read the whole store: a page may then come back short with a
//! cursor to go on from.

use std::sync::Arc;

use souk_models::{Order, OrderId, OrderStatus, ProductId, Timestamp, UserId};
use time::Duration;

use crate::store::{Store, StoreError};

/// Orders read from the store at once.
const BATCH: usize = 100;
/// Orders one page reads at most.
pub const SCAN_BUDGET: usize = 2_000;
/// How long a checkout may wait in its lane: an order's id (its ticket's
/// time) is at most this much older than its `created_at`, which bounds
/// where a date range's scan may stop.
const QUEUE_SLACK: Duration = Duration::hours(1);

/// What an admin looks for; every part given must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    pub buyer: Option<UserId>,
    pub seller: Option<UserId>,
    pub product: Option<ProductId>,
    /// Created at or after this…
    pub from: Option<Timestamp>,
    /// …and at or before this.
    pub to: Option<Timestamp>,
}

impl OrderFilter {
    fn matches(&self, order: &Order) -> bool {
        self.status.is_none_or(|s| order.status() == s)
            && self.buyer.is_none_or(|b| order.buyer_id == b)
            && self
                .seller
                .is_none_or(|s| order.lines.iter().any(|l| l.seller_id == s))
            && self
                .product
                .is_none_or(|p| order.lines.iter().any(|l| l.product_id == p))
            && self.from.is_none_or(|f| order.created_at >= f)
            && self.to.is_none_or(|t| order.created_at <= t)
    }
}

/// One page: the orders found, and where the next page starts (`None`
/// when there are no more).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderPage {
    pub orders: Vec<Order>,
    pub next: Option<OrderId>,
}

/// Up to `limit` orders matching `filter`, newest first, older than
/// `before`.
pub(super) async fn find(
    store: &Arc<dyn Store>,
    filter: &OrderFilter,
    before: Option<OrderId>,
    limit: usize,
) -> Result<OrderPage, StoreError> {
    // Orders created by `to` have ids from no later than `to`.
    let mut cursor = match (before, filter.to.map(first_id_after)) {
        (Some(b), Some(t)) => Some(b.min(t)),
        (b, t) => b.or(t),
    };
    let stop_below = filter.from.map(|f| first_id_after(f - QUEUE_SLACK));
    let mut orders = Vec::new();
    let mut read = 0;
    loop {
        let batch = match (filter.buyer, filter.seller) {
            (Some(buyer), _) => store.list_buyer_orders(buyer, cursor, BATCH).await?,
            (None, Some(seller)) => store.list_seller_orders(seller, cursor, BATCH).await?,
            (None, None) => store.list_orders(cursor, BATCH).await?,
        };
        let last_batch = batch.len() < BATCH;
        for order in batch {
            read += 1;
            if stop_below.is_some_and(|stop| order.id < stop) {
                return Ok(OrderPage { orders, next: None });
            }
            cursor = Some(order.id);
            if filter.matches(&order) {
                orders.push(order);
                // One past the page says there is more.
                if orders.len() > limit {
                    orders.truncate(limit);
                    let next = orders.last().map(|o| o.id);
                    return Ok(OrderPage { orders, next });
                }
            }
        }
        if last_batch {
            return Ok(OrderPage { orders, next: None });
        }
        if read >= SCAN_BUDGET {
            return Ok(OrderPage {
                orders,
                next: cursor,
            });
        }
    }
}

/// The smallest UUIDv7 of the millisecond after `at`: every id made at or
/// before `at` sorts below it.
fn first_id_after(at: Timestamp) -> OrderId {
    let ms = (at.unix_timestamp_nanos() / 1_000_000 + 1).max(0);
    let ms = u64::try_from(ms).unwrap_or(u64::MAX);
    OrderId(uuid::Builder::from_unix_timestamp_millis(ms, &[0; 10]).into_uuid())
}

#[cfg(test)]
mod tests {
    use souk_models::TimelineKind;
    use time::OffsetDateTime;

    use super::*;
    use crate::store::MemoryStore;
    use crate::store::conformance::order;

    #[tokio::test]
    async fn a_rare_match_is_found_over_pages_that_each_read_a_bounded_number() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let mut paid = order(UserId::new(), &[UserId::new()]);
        let now = OffsetDateTime::now_utc();
        let entry = paid.entry(
            OrderStatus::Paid,
            TimelineKind::PaymentSucceeded { event: None },
            now,
        );
        paid.timeline.push(entry);
        store.create_order(&paid, &[]).await.expect("stored");
        for _ in 0..SCAN_BUDGET + 50 {
            let unpaid = order(UserId::new(), &[UserId::new()]);
            store.create_order(&unpaid, &[]).await.expect("stored");
        }
        let filter = OrderFilter {
            status: Some(OrderStatus::Paid),
            ..OrderFilter::default()
        };
        let first = find(&store, &filter, None, 10).await.expect("a page");
        assert!(first.orders.is_empty(), "the budget ran out first");
        assert!(first.next.is_some(), "with somewhere to go on from");
        let second = find(&store, &filter, first.next, 10).await.expect("a page");
        let ids: Vec<OrderId> = second.orders.iter().map(|o| o.id).collect();
        assert_eq!(ids, [paid.id]);
        assert_eq!(second.next, None, "nothing older");
    }

    #[test]
    fn an_id_made_at_a_time_sorts_below_the_bound_of_that_time() {
        let now = OffsetDateTime::now_utc();
        let made = OrderId::new();
        assert!(made < first_id_after(OffsetDateTime::now_utc()));
        assert!(first_id_after(now - Duration::seconds(1)) < made);
    }
}
