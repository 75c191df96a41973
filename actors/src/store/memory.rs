//! An in-memory [`Store`](super::Store): nothing survives the process. For actor
//! tests (it works under paused tokio time) and in-process benchmarks; it passes
//! the same conformance suite as the durable backends.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};

use souk_models::{
    Address, AddressId, Cart, Category, Email, Order, OrderId, OrderStatus, Product, ProductId,
    Role, StockLevel, Ticket, TicketStatus, TimelineEntry, Timestamp, User, UserId,
};
use uuid::Uuid;

use super::{
    CartStore, CatalogStore, Hold, InventoryChange, InventoryStore, MetaStore, OrderStore,
    RefreshToken, Rotation, StoreError, TicketStore, TokenStore, UserStore,
};

#[derive(Default)]
struct Inner {
    users: BTreeMap<UserId, User>,
    emails: HashMap<String, UserId>,
    addresses: BTreeMap<(UserId, AddressId), Address>,
    tokens: HashMap<String, RefreshToken>,
    revoked: HashSet<Uuid>,
    categories: BTreeMap<String, Category>,
    products: BTreeMap<ProductId, Product>,
    stock: BTreeMap<ProductId, StockLevel>,
    holds: BTreeMap<(OrderId, ProductId), Hold>,
    carts: HashMap<UserId, Cart>,
    orders: BTreeMap<OrderId, Order>,
    tickets: BTreeMap<Uuid, Ticket>,
    meta: HashMap<String, String>,
}

#[derive(Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn taken(email: &Email) -> StoreError {
    StoreError::Conflict(format!("{email} is already registered"))
}

#[async_trait::async_trait]
impl UserStore for MemoryStore {
    async fn create_user(&self, user: &User) -> Result<(), StoreError> {
        let mut db = self.lock();
        if db.emails.contains_key(user.email.as_str()) {
            return Err(taken(&user.email));
        }
        if db.users.contains_key(&user.id) {
            return Err(StoreError::Conflict("user id already exists".into()));
        }
        db.emails.insert(user.email.as_str().to_owned(), user.id);
        db.users.insert(user.id, user.clone());
        Ok(())
    }

    async fn get_user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        Ok(self.lock().users.get(&id).cloned())
    }

    async fn find_user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        let db = self.lock();
        Ok(db
            .emails
            .get(email.as_str())
            .and_then(|id| db.users.get(id))
            .cloned())
    }

    async fn update_user(&self, user: &User) -> Result<(), StoreError> {
        let mut db = self.lock();
        let old_email = db
            .users
            .get(&user.id)
            .ok_or(StoreError::NotFound)?
            .email
            .clone();
        if old_email != user.email {
            if db.emails.contains_key(user.email.as_str()) {
                return Err(taken(&user.email));
            }
            db.emails.remove(old_email.as_str());
            db.emails.insert(user.email.as_str().to_owned(), user.id);
        }
        db.users.insert(user.id, user.clone());
        Ok(())
    }

    async fn list_users(
        &self,
        role: Option<Role>,
        after: Option<UserId>,
        limit: usize,
    ) -> Result<Vec<User>, StoreError> {
        let db = self.lock();
        Ok(db
            .users
            .values()
            .filter(|u| after.is_none_or(|a| u.id > a) && role.is_none_or(|r| r == u.role))
            .take(limit)
            .cloned()
            .collect())
    }

    async fn add_address(&self, address: &Address, max_per_user: usize) -> Result<(), StoreError> {
        let mut db = self.lock();
        let owner = address.user_id;
        let count = db.addresses.keys().filter(|(u, _)| *u == owner).count();
        if count >= max_per_user {
            return Err(StoreError::LimitReached(format!(
                "at most {max_per_user} addresses per account"
            )));
        }
        db.addresses.insert((owner, address.id), address.clone());
        Ok(())
    }

    async fn list_addresses(&self, user: UserId) -> Result<Vec<Address>, StoreError> {
        let db = self.lock();
        Ok(db
            .addresses
            .iter()
            .filter(|((u, _), _)| *u == user)
            .map(|(_, a)| a.clone())
            .collect())
    }

    async fn delete_address(&self, user: UserId, id: AddressId) -> Result<bool, StoreError> {
        Ok(self.lock().addresses.remove(&(user, id)).is_some())
    }
}

#[async_trait::async_trait]
impl TokenStore for MemoryStore {
    async fn put_refresh_token(&self, token: &RefreshToken) -> Result<(), StoreError> {
        self.lock().tokens.insert(token.hash.clone(), token.clone());
        Ok(())
    }

    async fn rotate_refresh_token(
        &self,
        presented: &str,
        next: &RefreshToken,
        now: Timestamp,
    ) -> Result<Rotation, StoreError> {
        let mut db = self.lock();
        let Some(token) = db.tokens.get(presented).cloned() else {
            return Ok(Rotation::Invalid);
        };
        if db.revoked.contains(&token.family) || token.expires_at <= now {
            return Ok(Rotation::Invalid);
        }
        if token.used {
            db.revoked.insert(token.family);
            return Ok(Rotation::Reused(token.user_id));
        }
        db.tokens.insert(
            presented.to_owned(),
            RefreshToken {
                used: true,
                ..token.clone()
            },
        );
        let successor = RefreshToken {
            family: token.family,
            user_id: token.user_id,
            ..next.clone()
        };
        db.tokens.insert(successor.hash.clone(), successor);
        Ok(Rotation::Rotated(token.user_id))
    }

    async fn revoke_refresh_family(&self, presented: &str) -> Result<(), StoreError> {
        let mut db = self.lock();
        if let Some(family) = db.tokens.get(presented).map(|t| t.family) {
            db.revoked.insert(family);
        }
        Ok(())
    }

    async fn purge_expired_refresh_tokens(&self, now: Timestamp) -> Result<usize, StoreError> {
        let mut db = self.lock();
        let before = db.tokens.len();
        db.tokens.retain(|_, t| t.expires_at > now);
        Ok(before - db.tokens.len())
    }
}

#[async_trait::async_trait]
impl CatalogStore for MemoryStore {
    async fn put_category(&self, category: &Category) -> Result<(), StoreError> {
        let slug = category.slug.as_str().to_owned();
        self.lock().categories.insert(slug, category.clone());
        Ok(())
    }

    async fn list_categories(&self) -> Result<Vec<Category>, StoreError> {
        Ok(self.lock().categories.values().cloned().collect())
    }

    async fn put_product(&self, product: &Product) -> Result<(), StoreError> {
        self.lock().products.insert(product.id, product.clone());
        Ok(())
    }

    async fn get_product(&self, id: ProductId) -> Result<Option<Product>, StoreError> {
        Ok(self.lock().products.get(&id).cloned())
    }

    async fn list_products(&self) -> Result<Vec<Product>, StoreError> {
        Ok(self.lock().products.values().cloned().collect())
    }

    async fn put_stock(&self, id: ProductId, level: &StockLevel) -> Result<(), StoreError> {
        self.lock().stock.insert(id, *level);
        Ok(())
    }

    async fn get_stock(&self, id: ProductId) -> Result<Option<StockLevel>, StoreError> {
        Ok(self.lock().stock.get(&id).copied())
    }

    async fn list_stock(&self) -> Result<Vec<(ProductId, StockLevel)>, StoreError> {
        Ok(self.lock().stock.iter().map(|(k, v)| (*k, *v)).collect())
    }

    async fn put_catalog_batch(
        &self,
        categories: &[Category],
        products: &[(Product, StockLevel)],
    ) -> Result<(), StoreError> {
        let mut db = self.lock();
        for c in categories {
            db.categories.insert(c.slug.as_str().to_owned(), c.clone());
        }
        for (p, level) in products {
            db.products.insert(p.id, p.clone());
            db.stock.insert(p.id, *level);
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl InventoryStore for MemoryStore {
    async fn apply_inventory(&self, change: &InventoryChange) -> Result<(), StoreError> {
        let mut db = self.lock();
        for (id, level) in &change.levels {
            db.stock.insert(*id, *level);
        }
        for key in &change.remove_holds {
            db.holds.remove(key);
        }
        for hold in &change.add_holds {
            db.holds.insert((hold.order, hold.product), *hold);
        }
        Ok(())
    }

    async fn list_holds(&self) -> Result<Vec<Hold>, StoreError> {
        Ok(self.lock().holds.values().copied().collect())
    }
}

#[async_trait::async_trait]
impl MetaStore for MemoryStore {
    async fn get_meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.lock().meta.get(key).cloned())
    }

    async fn put_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.lock().meta.insert(key.to_owned(), value.to_owned());
        Ok(())
    }
}

#[async_trait::async_trait]
impl CartStore for MemoryStore {
    async fn get_cart(&self, user: UserId) -> Result<Option<Cart>, StoreError> {
        Ok(self.lock().carts.get(&user).cloned())
    }

    async fn put_cart(&self, cart: &Cart) -> Result<(), StoreError> {
        let mut db = self.lock();
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
    async fn create_order(&self, order: &Order) -> Result<(), StoreError> {
        let mut db = self.lock();
        if db.orders.contains_key(&order.id) {
            return Err(StoreError::Conflict("order id already exists".into()));
        }
        db.orders.insert(order.id, order.clone());
        Ok(())
    }

    async fn append_order_entry(
        &self,
        order: OrderId,
        entry: &TimelineEntry,
    ) -> Result<(), StoreError> {
        let mut db = self.lock();
        let stored = db.orders.get_mut(&order).ok_or(StoreError::NotFound)?;
        let next = stored.timeline.last().map_or(1, |e| e.seq + 1);
        if entry.seq != next {
            return Err(StoreError::Conflict(format!(
                "expected entry {next}, got {}",
                entry.seq
            )));
        }
        stored.timeline.push(entry.clone());
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
        let mut db = self.lock();
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
        let mut db = self.lock();
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
