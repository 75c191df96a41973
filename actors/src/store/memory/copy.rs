//! Export and import of the in-memory store (see [`crate::store::copy`]).

use super::super::copy::{CopyStore, Kind, Record};
use super::{Inner, MemoryStore, StoreError};

/// Every record of `kind`, unordered.
fn all(db: &Inner, kind: Kind) -> Vec<Record> {
    match kind {
        Kind::Users => db.users.values().cloned().map(Record::User).collect(),
        Kind::Addresses => db
            .addresses
            .values()
            .cloned()
            .map(Record::Address)
            .collect(),
        Kind::RefreshTokens => db
            .tokens
            .values()
            .cloned()
            .map(Record::RefreshToken)
            .collect(),
        Kind::RevokedFamilies => db
            .revoked
            .iter()
            .map(|(family, at)| Record::RevokedFamily(*family, *at))
            .collect(),
        Kind::Categories => db
            .categories
            .values()
            .cloned()
            .map(Record::Category)
            .collect(),
        Kind::Products => db.products.values().cloned().map(Record::Product).collect(),
        Kind::Stock => db
            .stock
            .iter()
            .map(|(id, level)| Record::Stock(*id, *level))
            .collect(),
        Kind::Holds => db.holds.values().copied().map(Record::Hold).collect(),
        Kind::Sales => db.sales.values().copied().map(Record::Sale).collect(),
        Kind::Carts => db.carts.values().cloned().map(Record::Cart).collect(),
        Kind::Orders => db.orders.values().cloned().map(Record::Order).collect(),
        Kind::Tickets => db.tickets.values().cloned().map(Record::Ticket).collect(),
        Kind::Meta => db
            .meta
            .iter()
            .map(|(k, v)| Record::Meta(k.clone(), v.clone()))
            .collect(),
        Kind::ProductVectors => db
            .vectors
            .iter()
            .map(|(id, v)| Record::ProductVector(*id, v.clone()))
            .collect(),
        Kind::Fences => db
            .fences
            .iter()
            .map(|(owner, epoch)| Record::Fence(owner.clone(), *epoch))
            .collect(),
    }
}

fn put(db: &mut Inner, record: &Record) {
    match record.clone() {
        Record::User(user) => {
            if let Some(old) = db.users.get(&user.id) {
                let old_email = old.email.as_str().to_owned();
                db.emails.remove(&old_email);
            }
            db.emails.insert(user.email.as_str().to_owned(), user.id);
            db.users.insert(user.id, user);
        }
        Record::Address(a) => {
            db.addresses.insert((a.user_id, a.id), a);
        }
        Record::RefreshToken(t) => {
            db.tokens.insert(t.hash.clone(), t);
        }
        Record::RevokedFamily(family, at) => {
            db.revoked.insert(family, at);
        }
        Record::Category(c) => {
            db.categories.insert(c.slug.as_str().to_owned(), c);
        }
        Record::Product(p) => {
            db.products.insert(p.id, p);
        }
        Record::Stock(id, level) => {
            db.stock.insert(id, level);
        }
        Record::Hold(h) => {
            db.holds.insert((h.order, h.product), h);
        }
        Record::Sale(s) => {
            db.sales.insert((s.order, s.product), s);
        }
        Record::Cart(c) => {
            db.carts.insert(c.user_id, c);
        }
        Record::Order(o) => {
            db.orders.insert(o.id, o);
        }
        Record::Ticket(t) => {
            db.tickets.insert(t.id, t);
        }
        Record::Meta(k, v) => {
            db.meta.insert(k, v);
        }
        Record::ProductVector(id, v) => {
            db.vectors.insert(id, v);
        }
        Record::Fence(owner, epoch) => {
            db.fences.insert(owner, epoch);
        }
    }
}

#[async_trait::async_trait]
impl CopyStore for MemoryStore {
    async fn export(
        &self,
        kind: Kind,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Record>, StoreError> {
        let mut records: Vec<(String, Record)> = all(&self.lock(), kind)
            .into_iter()
            .map(|r| (r.key(), r))
            .filter(|(key, _)| after.is_none_or(|after| key.as_str() > after))
            .collect();
        records.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(records.into_iter().take(limit).map(|(_, r)| r).collect())
    }

    async fn import(&self, records: &[Record]) -> Result<(), StoreError> {
        let mut db = self.write()?;
        for record in records {
            put(&mut db, record);
        }
        Ok(())
    }

    async fn count(&self, kind: Kind) -> Result<u64, StoreError> {
        Ok(all(&self.lock(), kind).len() as u64)
    }
}
