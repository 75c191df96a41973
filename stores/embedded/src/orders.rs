//! Orders in the embedded store: headers, timeline entries, and the indexes by
//! buyer, by seller and of unpaid orders.

use super::codec::TableDef;
use super::view::Snapshot;
use souk_actors::store::{OrderStore, OutboxMail, StoreError};
use souk_models::{Order, OrderId, OrderStatus, TimelineEntry, Timestamp, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

use super::EmbeddedStore;
use super::read_table::decode_values;
use super::tables::{
    BUYER_ORDERS, CARTS, ORDER_ENTRIES, ORDERS, SELLER_ORDERS, UNPAID_ORDERS, decode, encode, io,
    key,
};

/// Reads an order's header and timeline.
pub(super) fn load(txn: &Snapshot, id: u128) -> Result<Option<Order>, StoreError> {
    let orders = txn.open_table(ORDERS).map_err(io)?;
    let Some(header) = orders.get(id).map_err(io)? else {
        return Ok(None);
    };
    let mut order: Order = decode(header.value())?;
    let entries = txn.open_table(ORDER_ENTRIES).map_err(io)?;
    order.timeline = decode_values(entries.range((id, 0)..=(id, u64::MAX)).map_err(io)?)?;
    Ok(Some(order))
}

/// Newest-first orders from an index keyed `(owner, order)`.
fn newest(
    txn: &Snapshot,
    index: TableDef<(u128, u128), ()>,
    owner: UserId,
    before: Option<OrderId>,
    limit: usize,
) -> Result<Vec<Order>, StoreError> {
    let table = txn.open_table(index).map_err(io)?;
    let owner = key(owner.0);
    let upper = before.map_or(u128::MAX, |b| key(b.0).saturating_sub(1));
    let mut out = Vec::new();
    for row in table.range((owner, 0)..=(owner, upper)).map_err(io)?.rev() {
        let (k, _) = row.map_err(io)?;
        if let Some(order) = load(txn, k.value().1)? {
            out.push(order);
        }
        if out.len() >= limit {
            break;
        }
    }
    Ok(out)
}

#[async_trait::async_trait]
impl OrderStore for EmbeddedStore {
    async fn create_order(&self, order: &Order, mail: &[OutboxMail]) -> Result<(), StoreError> {
        let mail = super::outbox::encoded(mail)?;
        let header = encode(&Order {
            timeline: vec![],
            ..order.clone()
        })?;
        let entries: Vec<(u64, Vec<u8>)> = order
            .timeline
            .iter()
            .map(|e| Ok((e.seq, encode(e)?)))
            .collect::<Result<_, StoreError>>()?;
        let (id, buyer) = (key(order.id.0), key(order.buyer_id.0));
        let sellers: Vec<u128> = order.sellers().iter().map(|s| key(s.0)).collect();
        let unpaid = (order.status() == OrderStatus::PendingPayment)
            .then(|| order.payment_deadline.unix_timestamp_nanos());
        self.write(move |txn| {
            let mut orders = txn.open_table(ORDERS).map_err(io)?;
            if orders.get(id).map_err(io)?.is_some() {
                return Err(StoreError::Conflict("order id already exists".into()));
            }
            orders.insert(id, header.as_slice()).map_err(io)?;
            let mut table = txn.open_table(ORDER_ENTRIES).map_err(io)?;
            for (seq, bytes) in &entries {
                table.insert((id, *seq), bytes.as_slice()).map_err(io)?;
            }
            txn.open_table(BUYER_ORDERS)
                .map_err(io)?
                .insert((buyer, id), ())
                .map_err(io)?;
            let mut by_seller = txn.open_table(SELLER_ORDERS).map_err(io)?;
            for seller in &sellers {
                by_seller.insert((*seller, id), ()).map_err(io)?;
            }
            if let Some(deadline) = unpaid {
                txn.open_table(UNPAID_ORDERS)
                    .map_err(io)?
                    .insert(id, deadline)
                    .map_err(io)?;
            }
            txn.open_table(CARTS)
                .map_err(io)?
                .remove(buyer)
                .map_err(io)?;
            super::outbox::enqueue(txn, &mail)?;
            super::tickets::complete(txn, id)
        })
        .await
    }

    async fn append_order_entry(
        &self,
        order: OrderId,
        entry: &TimelineEntry,
        mail: &[OutboxMail],
    ) -> Result<(), StoreError> {
        let (id, seq, bytes) = (key(order.0), entry.seq, encode(entry)?);
        let mail = super::outbox::encoded(mail)?;
        let still_unpaid = entry.status == OrderStatus::PendingPayment;
        self.write(move |txn| {
            if txn
                .open_table(ORDERS)
                .map_err(io)?
                .get(id)
                .map_err(io)?
                .is_none()
            {
                return Err(StoreError::NotFound);
            }
            let mut table = txn.open_table(ORDER_ENTRIES).map_err(io)?;
            let last = table
                .range((id, 0)..=(id, u64::MAX))
                .map_err(io)?
                .next_back()
                .transpose()
                .map_err(io)?
                .map_or(0, |(k, _)| k.value().1);
            if seq != last + 1 {
                return Err(StoreError::Conflict(format!(
                    "expected entry {}, got {seq}",
                    last + 1
                )));
            }
            table.insert((id, seq), bytes.as_slice()).map_err(io)?;
            if !still_unpaid {
                txn.open_table(UNPAID_ORDERS)
                    .map_err(io)?
                    .remove(id)
                    .map_err(io)?;
            }
            super::outbox::enqueue(txn, &mail)
        })
        .await
    }

    async fn get_order(&self, id: OrderId) -> Result<Option<Order>, StoreError> {
        self.read(move |txn| load(txn, key(id.0))).await
    }

    async fn list_buyer_orders(
        &self,
        buyer: UserId,
        before: Option<OrderId>,
        limit: usize,
    ) -> Result<Vec<Order>, StoreError> {
        self.read(move |txn| newest(txn, BUYER_ORDERS, buyer, before, limit))
            .await
    }

    async fn list_seller_orders(
        &self,
        seller: UserId,
        before: Option<OrderId>,
        limit: usize,
    ) -> Result<Vec<Order>, StoreError> {
        self.read(move |txn| newest(txn, SELLER_ORDERS, seller, before, limit))
            .await
    }

    async fn list_orders(
        &self,
        before: Option<OrderId>,
        limit: usize,
    ) -> Result<Vec<Order>, StoreError> {
        self.read(move |txn| {
            let table = txn.open_table(ORDERS).map_err(io)?;
            let upper = before.map_or(u128::MAX, |b| key(b.0).saturating_sub(1));
            let mut out = Vec::new();
            for row in table.range(0..=upper).map_err(io)?.rev() {
                let (id, _) = row.map_err(io)?;
                if let Some(order) = load(txn, id.value())? {
                    out.push(order);
                }
                if out.len() >= limit {
                    break;
                }
            }
            Ok(out)
        })
        .await
    }

    async fn list_unpaid_orders(&self) -> Result<Vec<(OrderId, Timestamp)>, StoreError> {
        self.read(|txn| {
            let table = txn.open_table(UNPAID_ORDERS).map_err(io)?;
            table
                .iter()
                .map_err(io)?
                .map(|row| {
                    let (id, nanos) = row.map_err(io)?;
                    let at = OffsetDateTime::from_unix_timestamp_nanos(nanos.value())
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    Ok((OrderId(Uuid::from_u128(id.value())), at))
                })
                .collect()
        })
        .await
    }
}
