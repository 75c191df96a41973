//! Export from the PostgreSQL store (see `souk_actors::store::copy`): one
//! table's rows after a key, in key order, as records.

use souk_actors::store::copy::{Kind, Record, id_key, pair_key};
use souk_actors::store::{RefreshToken, Sale, StoreError};
use souk_models::{OrderId, ProductId, UserId};
use time::OffsetDateTime;
use tokio_postgres::Row;
use uuid::Uuid;

use super::PostgresStore;
use super::catalog::{product_vector, stock_level};
use super::db::{big, column, doc, from_bigint, one, rows};
use super::orders::{WITH_TIMELINE, order};

/// Each kind's query: its rows with keys after `$1` (and `$2` for a pair),
/// in key order, at most the last parameter.
fn query(kind: Kind) -> String {
    let table = table(kind);
    let by_id = |id: &str, columns: &str| {
        format!("SELECT {columns} FROM {table} WHERE {id} > $1 ORDER BY {id} LIMIT $2")
    };
    let by_pair = |a: &str, b: &str, columns: &str| {
        format!(
            "SELECT {columns} FROM {table} WHERE ({a}, {b}) > ($1, $2) ORDER BY {a}, {b} LIMIT $3"
        )
    };
    match kind {
        Kind::Users | Kind::Products | Kind::Tickets => by_id("id", "doc"),
        Kind::Addresses => by_pair("user_id", "id", "doc"),
        Kind::RefreshTokens => by_id("hash", "hash, user_id, family, expires_ns, used"),
        Kind::RevokedFamilies => by_id("family", "family, revoked_s"),
        Kind::Categories => by_id("slug", "doc"),
        Kind::Stock => by_id("product_id", "product_id, on_hand, reserved, sold"),
        Kind::Holds => by_pair("order_id", "product_id", "doc"),
        Kind::Sales => by_pair("order_id", "product_id", "order_id, product_id, quantity"),
        Kind::Carts => by_id("user_id", "doc"),
        Kind::Orders => format!("{WITH_TIMELINE} WHERE o.id > $1 ORDER BY o.id LIMIT $2"),
        Kind::Meta => by_id("key", "key, value"),
        Kind::ProductVectors => by_id("product_id", "product_id, content_hash, vector"),
        Kind::Fences => by_id("owner", "owner, epoch"),
    }
}

fn record(kind: Kind, row: &Row) -> Result<Record, StoreError> {
    Ok(match kind {
        Kind::Users => Record::User(doc(row, 0)?),
        Kind::Addresses => Record::Address(doc(row, 0)?),
        Kind::RefreshTokens => {
            let nanos: i64 = column(row, 3)?;
            Record::RefreshToken(RefreshToken {
                hash: column(row, 0)?,
                user_id: UserId(column(row, 1)?),
                family: column(row, 2)?,
                expires_at: OffsetDateTime::from_unix_timestamp_nanos(i128::from(nanos))
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                used: column(row, 4)?,
            })
        }
        Kind::RevokedFamilies => Record::RevokedFamily(column(row, 0)?, column(row, 1)?),
        Kind::Categories => Record::Category(doc(row, 0)?),
        Kind::Products => Record::Product(doc(row, 0)?),
        Kind::Stock => Record::Stock(ProductId(column(row, 0)?), stock_level(row, 1)?),
        Kind::Holds => Record::Hold(doc(row, 0)?),
        Kind::Sales => {
            let quantity: i64 = column(row, 2)?;
            Record::Sale(Sale {
                order: OrderId(column(row, 0)?),
                product: ProductId(column(row, 1)?),
                quantity: u32::try_from(quantity)
                    .map_err(|_| StoreError::Corrupt(format!("a sale of {quantity} units")))?,
            })
        }
        Kind::Carts => Record::Cart(doc(row, 0)?),
        Kind::Orders => Record::Order(order(row)?),
        Kind::Tickets => Record::Ticket(doc(row, 0)?),
        Kind::Meta => Record::Meta(column(row, 0)?, column(row, 1)?),
        Kind::ProductVectors => {
            Record::ProductVector(ProductId(column(row, 0)?), product_vector(row, 1)?)
        }
        Kind::Fences => {
            let epoch: i64 = column(row, 1)?;
            Record::Fence(column(row, 0)?, from_bigint(epoch, "epoch")?)
        }
    })
}

/// Each kind's table.
fn table(kind: Kind) -> &'static str {
    match kind {
        Kind::Users => "users",
        Kind::Addresses => "addresses",
        Kind::RefreshTokens => "refresh_tokens",
        Kind::RevokedFamilies => "revoked_families",
        Kind::Categories => "categories",
        Kind::Products => "products",
        Kind::Stock => "stock",
        Kind::Holds => "holds",
        Kind::Sales => "sales",
        Kind::Carts => "carts",
        Kind::Orders => "orders",
        Kind::Tickets => "tickets",
        Kind::Meta => "meta",
        Kind::ProductVectors => "product_vectors",
        Kind::Fences => "fences",
    }
}

impl PostgresStore {
    pub(super) async fn count_kind(&self, kind: Kind) -> Result<u64, StoreError> {
        let client = self.client().await?;
        let sql = format!("SELECT count(*) FROM {}", table(kind));
        let row = one(&client, &sql, &[]).await?;
        let n: i64 = column(&row, 0)?;
        from_bigint(n, "count")
    }

    pub(super) async fn export_kind(
        &self,
        kind: Kind,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Record>, StoreError> {
        let client = self.client().await?;
        let sql = query(kind);
        let limit = big(limit);
        let found = match kind {
            Kind::Addresses | Kind::Holds | Kind::Sales => {
                let (a, b) = after.map(pair_key).transpose()?.unwrap_or_default();
                rows(&client, &sql, &[&a, &b, &limit]).await?
            }
            Kind::RefreshTokens | Kind::Categories | Kind::Meta | Kind::Fences => {
                rows(&client, &sql, &[&after.unwrap_or(""), &limit]).await?
            }
            _ => {
                let id: Uuid = after.map(id_key).transpose()?.unwrap_or_default();
                rows(&client, &sql, &[&id, &limit]).await?
            }
        };
        found.iter().map(|row| record(kind, row)).collect()
    }
}
