//! Import into the ScyllaDB store (see `souk_actors::store::copy`): each
//! record with every index it belongs to, replacing by key, in logged
//! batches. A copy writes into a store no node serves yet, so claims that
//! nodes make with lightweight transactions (emails, ticket keys, fences)
//! are plain writes here.

use std::collections::BTreeSet;

use souk_actors::store::StoreError;
use souk_actors::store::copy::Record;
use souk_models::UserId;

use super::ScyllaStore;
use super::accounts::user_writes;
use super::catalog::{category_write, product_write, stock_write, vector_write};
use super::db::{Write, vals};
use super::docs::{to_bigint, to_doc};
use super::inventory::{hold_write, sale_write};
use super::orders::{cart_write, index_writes, order_writes};
use super::tickets::ticket_writes;
use super::tokens::token_writes;

/// The writes that store `record` with its indexes.
fn record_writes(record: &Record) -> Result<Vec<Write>, StoreError> {
    Ok(match record {
        Record::User(user) => {
            let mut writes = user_writes(user)?;
            writes.push(Write::new(
                "INSERT INTO users_by_email (email, id) VALUES (?, ?)",
                vals![user.email.as_str(), user.id.0],
            ));
            writes
        }
        Record::Address(address) => vec![Write::new(
            "INSERT INTO addresses (user_id, id, doc) VALUES (?, ?, ?)",
            vals![
                address.user_id.0,
                super::db::key(address.id.0),
                to_doc(address)?
            ],
        )],
        Record::RefreshToken(token) => token_writes(token, token.user_id, token.family)?,
        Record::RevokedFamily(family, at) => vec![Write::new(
            "INSERT INTO revoked_families (family, revoked_s) VALUES (?, ?)",
            vals![*family, *at],
        )],
        Record::Category(category) => vec![category_write(category)?],
        Record::Product(product) => vec![product_write(product)?],
        Record::Stock(id, level) => vec![stock_write(*id, level)?],
        Record::Hold(hold) => vec![hold_write(hold)?],
        Record::Sale(sale) => vec![sale_write(sale)?],
        Record::Cart(cart) => vec![cart_write(cart)?],
        Record::Order(order) => {
            let mut writes = order_writes(order, false)?;
            writes.extend(index_writes(order)?);
            writes
        }
        Record::Ticket(ticket) => {
            let mut writes = ticket_writes(ticket)?;
            if !ticket.status.is_done() {
                writes.push(Write::new(
                    "INSERT INTO tickets_by_key (user_id, idempotency_key, id) VALUES (?, ?, ?)",
                    vals![ticket.user_id.0, ticket.idempotency_key.as_str(), ticket.id],
                ));
            }
            writes
        }
        Record::Meta(key, value) => vec![super::meta_write(key, value)],
        Record::ProductVector(id, vector) => vec![vector_write(*id, vector)],
        Record::Fence(owner, epoch) => vec![Write::new(
            "INSERT INTO fences (owner, epoch) VALUES (?, ?)",
            vals![owner.as_str(), to_bigint(*epoch, "fence epoch")?],
        )],
    })
}

impl ScyllaStore {
    pub(crate) async fn import_records(&self, records: &[Record]) -> Result<(), StoreError> {
        let mut writes = Vec::new();
        let mut with_addresses = BTreeSet::new();
        for record in records {
            writes.extend(record_writes(record)?);
            if let Record::Address(address) = record {
                with_addresses.insert(address.user_id);
            }
        }
        self.batches(writes).await?;
        for user in with_addresses {
            self.recount_addresses(user).await?;
        }
        Ok(())
    }

    /// Sets a user's address count to the addresses stored.
    async fn recount_addresses(&self, user: UserId) -> Result<(), StoreError> {
        let rows: Vec<(Option<Vec<u8>>,)> = self
            .db
            .rows("SELECT id FROM addresses WHERE user_id = ?", vals![user.0])
            .await?;
        let held = rows.iter().filter(|(id,)| id.is_some()).count();
        self.db
            .execute(
                "UPDATE addresses SET n = ? WHERE user_id = ?",
                vals![i32::try_from(held).unwrap_or(i32::MAX), user.0],
            )
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use souk_actors::store::conformance::user;
    use souk_models::Role;

    #[test]
    fn an_imported_user_is_claimed_and_listed() {
        let seller = user("seller@example.com", Role::Seller);
        let writes = record_writes(&Record::User(seller)).unwrap_or_default();
        let tables: Vec<&str> = writes
            .iter()
            .map(|w| w.cql.split_whitespace().nth(2).unwrap_or_default())
            .collect();
        assert_eq!(
            tables,
            [
                "users",
                "series",
                "series_buckets",
                "series",
                "series_buckets",
                "users_by_email"
            ]
        );
        assert_eq!(writes[3].values[0], vals!["users/seller"][0]);
    }
}
