//! Import into the embedded store (see `souk_actors::store::copy`): each
//! record written with the indexes it belongs to, replacing one with the
//! same key.

use souk_actors::store::StoreError;
use souk_actors::store::copy::Record;
use souk_models::{Order, OrderStatus, User};

use super::tables::{
    ADDRESSES, BUYER_ORDERS, CARTS, FENCES, HOLDS, META, ORDER_ENTRIES, ORDERS, PRODUCT_VECTORS,
    QUEUED_TICKETS, REVOKED_FAMILIES, SALES, SELLER_ORDERS, TICKET_KEYS, TICKETS, UNPAID_ORDERS,
    USERS, USERS_BY_EMAIL, decode, encode, key,
};
use super::tx::Tx;

pub(super) fn put(tx: &Tx, record: &Record) -> Result<(), StoreError> {
    match record {
        Record::User(user) => put_user(tx, user),
        Record::Address(a) => {
            let bytes = encode(a)?;
            tx.open_table(ADDRESSES)?
                .insert((key(a.user_id.0), key(a.id.0)), bytes.as_slice())
        }
        Record::RefreshToken(t) => super::tokens::save(tx, t),
        Record::RevokedFamily(family, at) => {
            tx.open_table(REVOKED_FAMILIES)?.insert(key(*family), *at)
        }
        Record::Category(c) => super::catalog::put_category(tx, c),
        Record::Product(p) => super::catalog::put_product(tx, p),
        Record::Stock(id, level) => super::catalog::put_stock(tx, *id, level),
        Record::Hold(h) => {
            let bytes = encode(h)?;
            tx.open_table(HOLDS)?
                .insert((key(h.order.0), key(h.product.0)), bytes.as_slice())
        }
        Record::Sale(s) => tx
            .open_table(SALES)?
            .insert((key(s.order.0), key(s.product.0)), u64::from(s.quantity)),
        Record::Cart(c) => {
            let bytes = encode(c)?;
            tx.open_table(CARTS)?
                .insert(key(c.user_id.0), bytes.as_slice())
        }
        Record::Order(o) => put_order(tx, o),
        Record::Ticket(t) => {
            let bytes = encode(t)?;
            let idem = super::tickets::idempotency(t.user_id, &t.idempotency_key);
            tx.open_table(TICKET_KEYS)?
                .insert(idem.as_str(), key(t.id))?;
            tx.open_table(TICKETS)?
                .insert(key(t.id), bytes.as_slice())?;
            let mut queued = tx.open_table(QUEUED_TICKETS)?;
            if t.status.is_done() {
                queued.remove(key(t.id))?;
                Ok(())
            } else {
                queued.insert(key(t.id), ())
            }
        }
        Record::Meta(k, v) => tx.open_table(META)?.insert(k.as_str(), v.as_bytes()),
        Record::ProductVector(id, v) => {
            let bytes = super::vectors::encode(v);
            tx.open_table(PRODUCT_VECTORS)?
                .insert(key(id.0), bytes.as_slice())
        }
        Record::Fence(owner, epoch) => tx.open_table(FENCES)?.insert(owner.as_str(), *epoch),
    }
}

/// An account and its email index; a replaced account's old email is freed.
fn put_user(tx: &Tx, user: &User) -> Result<(), StoreError> {
    let bytes = encode(user)?;
    let mut users = tx.open_table(USERS)?;
    let old: Option<User> = match users.get(key(user.id.0))? {
        Some(v) => Some(decode(v.value())?),
        None => None,
    };
    let mut by_email = tx.open_table(USERS_BY_EMAIL)?;
    if let Some(old) = old.filter(|old| old.email != user.email) {
        by_email.remove(old.email.as_str())?;
    }
    by_email.insert(user.email.as_str(), key(user.id.0))?;
    users.insert(key(user.id.0), bytes.as_slice())
}

/// An order's header, its whole timeline (replacing any stored one), its
/// buyer and seller index entries and, while it awaits payment, its deadline.
fn put_order(tx: &Tx, order: &Order) -> Result<(), StoreError> {
    let id = key(order.id.0);
    let header = encode(&Order {
        timeline: vec![],
        ..order.clone()
    })?;
    tx.open_table(ORDERS)?.insert(id, header.as_slice())?;
    let mut entries = tx.open_table(ORDER_ENTRIES)?;
    let stale: Vec<u64> = entries
        .range((id, 0)..=(id, u64::MAX))?
        .map(|row| Ok(row?.0.value().1))
        .collect::<Result<_, StoreError>>()?;
    for seq in stale {
        entries.remove((id, seq))?;
    }
    for entry in &order.timeline {
        let bytes = encode(entry)?;
        entries.insert((id, entry.seq), bytes.as_slice())?;
    }
    tx.open_table(BUYER_ORDERS)?
        .insert((key(order.buyer_id.0), id), ())?;
    let mut by_seller = tx.open_table(SELLER_ORDERS)?;
    for seller in order.sellers() {
        by_seller.insert((key(seller.0), id), ())?;
    }
    let mut unpaid = tx.open_table(UNPAID_ORDERS)?;
    if order.status() == OrderStatus::PendingPayment {
        unpaid.insert(id, order.payment_deadline.unix_timestamp_nanos())
    } else {
        unpaid.remove(id)?;
        Ok(())
    }
}
