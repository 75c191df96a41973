//! Export from the ScyllaDB store (see `souk_actors::store::copy`). Tables
//! are read in partition-token order (the order a ScyllaDB scan has), each
//! page resuming at the partitions whose token follows the last record's;
//! within a partition (a user's addresses, an order's holds) by key.
//! Categories live in one partition and come in slug order.
//!
//! Two partitions whose 64-bit tokens are equal and fall exactly at a page
//! boundary would make a page skip the second; `souk store copy` compares
//! counts and checksums at the end, so such a copy fails its check instead
//! of passing short.

use futures::future::try_join_all;
use souk_actors::store::copy::{Kind, Record, id_key, pair_key};
use souk_actors::store::{OrderStore, RefreshToken, StoreError, TicketStore};
use souk_models::{OrderId, ProductId, UserId};
use uuid::Uuid;

use super::ScyllaStore;
use super::catalog::{product_vector, stock_level};
use super::db::{Value, key, vals};
use super::docs::{from_bigint, from_doc, from_nanos};
use super::inventory::{hold, sale};

/// A kind's reads: the first page, and a page after a partition key.
struct Pages {
    first: &'static str,
    after: &'static str,
    /// For a kind keyed by pair: the rest of one partition after a key.
    within: Option<&'static str>,
}

fn pages(kind: Kind) -> Pages {
    macro_rules! by_partition {
        ($columns:literal, $table:literal, $key:literal) => {
            Pages {
                first: concat!("SELECT ", $columns, " FROM ", $table, " LIMIT ?"),
                after: concat!(
                    "SELECT ",
                    $columns,
                    " FROM ",
                    $table,
                    " WHERE token(",
                    $key,
                    ") > token(?) LIMIT ?"
                ),
                within: None,
            }
        };
        ($columns:literal, $table:literal, $key:literal, $clustering:literal) => {
            Pages {
                within: Some(concat!(
                    "SELECT ",
                    $columns,
                    " FROM ",
                    $table,
                    " WHERE ",
                    $key,
                    " = ? AND ",
                    $clustering,
                    " > ? LIMIT ?"
                )),
                ..by_partition!($columns, $table, $key)
            }
        };
    }
    match kind {
        Kind::Users => by_partition!("doc", "users", "id"),
        Kind::Addresses => by_partition!("doc", "addresses", "user_id", "id"),
        Kind::RefreshTokens => by_partition!(
            "hash, user_id, family, expires_ns, used",
            "refresh_tokens",
            "hash"
        ),
        Kind::RevokedFamilies => by_partition!("family, revoked_s", "revoked_families", "family"),
        Kind::Categories => Pages {
            first: "SELECT doc FROM categories WHERE scope = 'all' LIMIT ?",
            after: "SELECT doc FROM categories WHERE scope = 'all' AND slug > ? LIMIT ?",
            within: None,
        },
        Kind::Products => by_partition!("doc", "products", "id"),
        Kind::Stock => by_partition!("product_id, on_hand, reserved, sold", "stock", "product_id"),
        Kind::Holds => by_partition!(
            "order_id, product_id, quantity, expires_ns",
            "holds",
            "order_id",
            "product_id"
        ),
        Kind::Sales => by_partition!(
            "order_id, product_id, quantity",
            "sales",
            "order_id",
            "product_id"
        ),
        Kind::Carts => by_partition!("doc", "carts", "user_id"),
        Kind::Orders => Pages {
            first: "SELECT DISTINCT id FROM orders LIMIT ?",
            after: "SELECT DISTINCT id FROM orders WHERE token(id) > token(?) LIMIT ?",
            within: None,
        },
        Kind::Tickets => by_partition!("id", "tickets", "id"),
        Kind::Meta => by_partition!("key, value", "meta", "key"),
        Kind::ProductVectors => by_partition!(
            "product_id, content_hash, vector",
            "product_vectors",
            "product_id"
        ),
        Kind::Fences => by_partition!("owner, epoch", "fences", "owner"),
    }
}

/// The cursor as the values that bind its partition key (and, for a pair,
/// its clustering key).
fn cursor(kind: Kind, after: &str) -> Result<(Value, Option<Value>), StoreError> {
    Ok(match kind {
        Kind::Addresses | Kind::Holds | Kind::Sales => {
            let (a, b) = pair_key(after)?;
            (vals![a].remove(0), Some(vals![key(b)].remove(0)))
        }
        Kind::RefreshTokens | Kind::Categories | Kind::Meta | Kind::Fences => {
            (vals![after].remove(0), None)
        }
        _ => (vals![id_key(after)?].remove(0), None),
    })
}

/// `limit` as CQL binds it (at least 1: `LIMIT 0` is refused).
fn bound(limit: usize) -> i32 {
    i32::try_from(limit.max(1)).unwrap_or(i32::MAX)
}

impl ScyllaStore {
    pub(crate) async fn export_kind(
        &self,
        kind: Kind,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Record>, StoreError> {
        if limit == 0 {
            return Ok(vec![]);
        }
        let pages = pages(kind);
        let mut out = Vec::new();
        let Some(after) = after else {
            self.read_page(
                kind,
                pages.first,
                vec![vals![bound(limit)].remove(0)],
                &mut out,
            )
            .await?;
            return Ok(out);
        };
        let (partition, clustering) = cursor(kind, after)?;
        if let (Some(within), Some(clustering)) = (pages.within, clustering) {
            let values = vec![partition.clone(), clustering, vals![bound(limit)].remove(0)];
            self.read_page(kind, within, values, &mut out).await?;
        }
        if out.len() < limit {
            let values = vec![partition, vals![bound(limit - out.len())].remove(0)];
            self.read_page(kind, pages.after, values, &mut out).await?;
        }
        Ok(out)
    }

    /// Reads one page of `kind` and appends its records to `out`.
    async fn read_page(
        &self,
        kind: Kind,
        cql: &'static str,
        values: Vec<Value>,
        out: &mut Vec<Record>,
    ) -> Result<(), StoreError> {
        match kind {
            Kind::Users | Kind::Addresses | Kind::Categories | Kind::Products | Kind::Carts => {
                let rows: Vec<(Option<String>,)> = self.db.rows(cql, values).await?;
                for (doc,) in rows {
                    // An address partition may hold only its count.
                    let Some(doc) = doc else { continue };
                    out.push(match kind {
                        Kind::Users => Record::User(from_doc(&doc)?),
                        Kind::Addresses => Record::Address(from_doc(&doc)?),
                        Kind::Categories => Record::Category(from_doc(&doc)?),
                        Kind::Products => Record::Product(from_doc(&doc)?),
                        _ => Record::Cart(from_doc(&doc)?),
                    });
                }
            }
            Kind::RefreshTokens => {
                let rows: Vec<(String, Uuid, Uuid, i64, bool)> = self.db.rows(cql, values).await?;
                for (hash, user, family, expires_ns, used) in rows {
                    out.push(Record::RefreshToken(RefreshToken {
                        hash,
                        user_id: UserId(user),
                        family,
                        expires_at: from_nanos(expires_ns)?,
                        used,
                    }));
                }
            }
            Kind::RevokedFamilies => {
                let rows: Vec<(Uuid, i64)> = self.db.rows(cql, values).await?;
                out.extend(rows.into_iter().map(|(f, s)| Record::RevokedFamily(f, s)));
            }
            Kind::Stock => {
                let rows: Vec<(Uuid, i64, i64, i64)> = self.db.rows(cql, values).await?;
                for (id, a, b, c) in rows {
                    out.push(Record::Stock(ProductId(id), stock_level(a, b, c)?));
                }
            }
            Kind::Holds => {
                let rows: Vec<(Uuid, Vec<u8>, i64, i64)> = self.db.rows(cql, values).await?;
                for (order, product, quantity, at) in rows {
                    out.push(Record::Hold(hold(order, &product, quantity, at)?));
                }
            }
            Kind::Sales => {
                let rows: Vec<(Uuid, Vec<u8>, i64)> = self.db.rows(cql, values).await?;
                for (order, product, quantity) in rows {
                    out.push(Record::Sale(sale(order, &product, quantity)?));
                }
            }
            Kind::Orders | Kind::Tickets => {
                let ids: Vec<(Uuid,)> = self.db.rows(cql, values).await?;
                if kind == Kind::Orders {
                    let orders =
                        try_join_all(ids.iter().map(|(id,)| self.get_order(OrderId(*id)))).await?;
                    out.extend(orders.into_iter().flatten().map(Record::Order));
                } else {
                    let tickets =
                        try_join_all(ids.iter().map(|(id,)| self.get_ticket(*id))).await?;
                    out.extend(tickets.into_iter().flatten().map(Record::Ticket));
                }
            }
            Kind::Meta => {
                let rows: Vec<(String, String)> = self.db.rows(cql, values).await?;
                out.extend(rows.into_iter().map(|(k, v)| Record::Meta(k, v)));
            }
            Kind::ProductVectors => {
                let rows: Vec<(Uuid, Vec<u8>, Vec<u8>)> = self.db.rows(cql, values).await?;
                for (id, hash, vector) in rows {
                    out.push(Record::ProductVector(
                        ProductId(id),
                        product_vector(&hash, vector)?,
                    ));
                }
            }
            Kind::Fences => {
                let rows: Vec<(String, i64)> = self.db.rows(cql, values).await?;
                for (owner, epoch) in rows {
                    out.push(Record::Fence(owner, from_bigint(epoch, "fence epoch")?));
                }
            }
        }
        Ok(())
    }

    /// Counts by reading every record's key (ScyllaDB has no cheap count).
    pub(crate) async fn count_kind(&self, kind: Kind) -> Result<u64, StoreError> {
        let mut count = 0u64;
        let mut after: Option<String> = None;
        loop {
            let page = self.export_kind(kind, after.as_deref(), 1000).await?;
            let Some(last) = page.last() else {
                return Ok(count);
            };
            after = Some(last.key());
            count += page.len() as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_pages_by_token_or_within_its_one_partition() {
        for kind in Kind::ALL {
            let p = pages(kind);
            assert!(p.first.ends_with("LIMIT ?"), "{}", p.first);
            assert!(p.after.ends_with("LIMIT ?"), "{}", p.after);
            if kind == Kind::Categories {
                assert!(p.after.contains("slug > ?"));
            } else {
                assert!(p.after.contains(") > token(?)"), "{}", p.after);
            }
            assert!(!p.after.to_uppercase().contains("ALLOW FILTERING"));
        }
        assert!(pages(Kind::Holds).within.is_some());
        assert!(pages(Kind::Users).within.is_none());
    }

    #[test]
    fn cursors_bind_as_their_keys() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let pair = format!("{}{}", a.simple(), b.simple());
        let (partition, clustering) = cursor(Kind::Holds, &pair).unwrap_or((None, None));
        assert_eq!(partition, vals![a].remove(0));
        assert_eq!(clustering, Some(vals![key(b)].remove(0)));
        let (partition, _) = cursor(Kind::Meta, "demo_seeded").unwrap_or((None, None));
        assert_eq!(partition, vals!["demo_seeded"].remove(0));
        assert!(cursor(Kind::Users, "nope").is_err());
        assert_eq!(bound(0), 1);
    }
}
