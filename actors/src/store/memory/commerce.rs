//! Carts, orders and checkout tickets in memory.

use std::collections::BTreeMap;

use souk_models::{
    Cart, Order, OrderId, OrderStatus, Ticket, TicketStatus, TimelineEntry, Timestamp, UserId,
};
use uuid::Uuid;

use super::super::{CartStore, OrderStore, OutboxMail, StoreError, TicketStore};
use super::MemoryStore;

#[async_trait::async_trait]
impl CartStore for MemoryStore {
    async fn get_cart(&self, user: UserId) -> Result<Option<Cart>, StoreError> {
        Ok(self.lock().carts.get(&user).cloned())
    }

    async fn put_cart(&self, cart: &Cart) -> Result<(), StoreError> {
        let mut db = self.write()?;
        if cart.lines.is_empty() {
            db.carts.remove(&cart.user_id);
        } else {
            db.carts.insert(cart.user_id, cart.clone());
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl OrderStore for MemoryStore {
    async fn create_order(&self, order: &Order, mail: &[OutboxMail]) -> Result<(), StoreError> {
        let mut db = self.write()?;
        if db.orders.contains_key(&order.id) {
            return Err(StoreError::Conflict("order id already exists".into()));
        }
        db.orders.insert(order.id, order.clone());
        db.enqueue(mail);
        db.carts.remove(&order.buyer_id);
        if let Some(ticket) = db.tickets.get_mut(&order.id.0) {
            ticket.status = TicketStatus::Completed { order_id: order.id };
        }
        Ok(())
    }

    async fn append_order_entry(
        &self,
        order: OrderId,
        entry: &TimelineEntry,
        mail: &[OutboxMail],
    ) -> Result<(), StoreError> {
        #[cfg(test)]
        if self.failing_order_entries.now() {
            return Err(StoreError::Unavailable("injected write failure".into()));
        }
        let mut db = self.write()?;
        let stored = db.orders.get_mut(&order).ok_or(StoreError::NotFound)?;
        let next = stored.timeline.last().map_or(1, |e| e.seq + 1);
        if entry.seq != next {
            return Err(StoreError::Conflict(format!(
                "expected entry {next}, got {}",
                entry.seq
            )));
        }
        stored.timeline.push(entry.clone());
        db.enqueue(mail);
        Ok(())
    }

    async fn get_order(&self, id: OrderId) -> Result<Option<Order>, StoreError> {
        Ok(self.lock().orders.get(&id).cloned())
    }

    async fn list_buyer_orders(
        &self,
        buyer: UserId,
        before: Option<OrderId>,
        limit: usize,
    ) -> Result<Vec<Order>, StoreError> {
        Ok(newest(&self.lock().orders, before, limit, |o| {
            o.buyer_id == buyer
        }))
    }

    async fn list_seller_orders(
        &self,
        seller: UserId,
        before: Option<OrderId>,
        limit: usize,
    ) -> Result<Vec<Order>, StoreError> {
        Ok(newest(&self.lock().orders, before, limit, |o| {
            o.lines.iter().any(|l| l.seller_id == seller)
        }))
    }

    async fn list_orders(
        &self,
        before: Option<OrderId>,
        limit: usize,
    ) -> Result<Vec<Order>, StoreError> {
        Ok(newest(&self.lock().orders, before, limit, |_| true))
    }

    async fn list_unpaid_orders(&self) -> Result<Vec<(OrderId, Timestamp)>, StoreError> {
        let db = self.lock();
        Ok(db
            .orders
            .values()
            .filter(|o| o.status() == OrderStatus::PendingPayment)
            .map(|o| (o.id, o.payment_deadline))
            .collect())
    }
}

fn newest(
    orders: &BTreeMap<OrderId, Order>,
    before: Option<OrderId>,
    limit: usize,
    keep: impl Fn(&Order) -> bool,
) -> Vec<Order> {
    orders
        .values()
        .rev()
        .filter(|o| before.is_none_or(|b| o.id < b) && keep(o))
        .take(limit)
        .cloned()
        .collect()
}

#[async_trait::async_trait]
impl TicketStore for MemoryStore {
    async fn create_ticket(&self, ticket: &Ticket) -> Result<Ticket, StoreError> {
        let mut db = self.write()?;
        let existing = db
            .tickets
            .values()
            .find(|t| t.user_id == ticket.user_id && t.idempotency_key == ticket.idempotency_key);
        if let Some(existing) = existing {
            return Ok(existing.clone());
        }
        db.tickets.insert(ticket.id, ticket.clone());
        Ok(ticket.clone())
    }

    async fn get_ticket(&self, id: Uuid) -> Result<Option<Ticket>, StoreError> {
        Ok(self.lock().tickets.get(&id).cloned())
    }

    async fn find_ticket(
        &self,
        user: UserId,
        idempotency_key: &str,
    ) -> Result<Option<Ticket>, StoreError> {
        let db = self.lock();
        Ok(db
            .tickets
            .values()
            .find(|t| t.user_id == user && t.idempotency_key == idempotency_key)
            .cloned())
    }

    async fn finish_ticket(&self, id: Uuid, status: &TicketStatus) -> Result<(), StoreError> {
        let mut db = self.write()?;
        let ticket = db.tickets.get_mut(&id).ok_or(StoreError::NotFound)?;
        ticket.status = status.clone();
        Ok(())
    }

    async fn list_queued_tickets(&self) -> Result<Vec<Ticket>, StoreError> {
        Ok(self
            .lock()
            .tickets
            .values()
            .filter(|t| !t.status.is_done())
            .cloned()
            .collect())
    }
}
