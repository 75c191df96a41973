//! Export from the embedded store (see `souk_actors::store::copy`): one
//! table's rows after a key, in key order, as records.

use std::ops::Bound;

use souk_actors::store::copy::{Kind, Record, id_key, pair_key};
use souk_actors::store::{Hold, Sale, StoreError};
use souk_models::{OrderId, ProductId};
use uuid::Uuid;

use super::codec::{Key, TableDef, Value};
use super::read_table::Item;
use super::tables::{
    ADDRESSES, CARTS, CATEGORIES, FENCES, HOLDS, META, ORDERS, PRODUCT_VECTORS, PRODUCTS,
    REFRESH_TOKENS, REVOKED_FAMILIES, SALES, STOCK, TICKETS, USERS, decode, decode_str,
};
use super::view::Snapshot;

/// The bytes of the key a cursor names, in the kind's table.
fn cursor(kind: Kind, after: &str) -> Result<Vec<u8>, StoreError> {
    Ok(match kind {
        Kind::Addresses | Kind::Holds | Kind::Sales => {
            let (a, b) = pair_key(after)?;
            [a.as_u128().to_be_bytes(), b.as_u128().to_be_bytes()].concat()
        }
        Kind::RefreshTokens | Kind::Categories | Kind::Meta | Kind::Fences => {
            after.as_bytes().to_vec()
        }
        _ => id_key(after)?.as_u128().to_be_bytes().to_vec(),
    })
}

/// Up to `limit` rows of `table` after `lower`, each made a record by `make`.
fn rows<K: Key, V: Value>(
    snapshot: &Snapshot,
    table: TableDef<K, V>,
    lower: &Bound<Vec<u8>>,
    limit: usize,
    make: impl Fn(Item<K, V>) -> Result<Record, StoreError>,
) -> Result<Vec<Record>, StoreError> {
    let table = snapshot.open_table(table)?;
    let lower = lower.as_ref().map(Vec::as_slice);
    table
        .scan(lower, Bound::Unbounded)?
        .take(limit)
        .map(make)
        .collect()
}

fn pair(k: (u128, u128)) -> (Uuid, Uuid) {
    (Uuid::from_u128(k.0), Uuid::from_u128(k.1))
}

/// Records of `kind` after the cursor `after`, in key order.
pub(super) fn export(
    snapshot: &Snapshot,
    kind: Kind,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<Record>, StoreError> {
    let lower = match after {
        Some(after) => Bound::Excluded(cursor(kind, after)?),
        None => Bound::Unbounded,
    };
    let at = &lower;
    match kind {
        Kind::Users => rows(snapshot, USERS, at, limit, |r| {
            Ok(Record::User(decode(r?.1.value())?))
        }),
        Kind::Addresses => rows(snapshot, ADDRESSES, at, limit, |r| {
            Ok(Record::Address(decode(r?.1.value())?))
        }),
        Kind::RefreshTokens => rows(snapshot, REFRESH_TOKENS, at, limit, |r| {
            Ok(Record::RefreshToken(decode(r?.1.value())?))
        }),
        Kind::RevokedFamilies => rows(snapshot, REVOKED_FAMILIES, at, limit, |r| {
            let (k, v) = r?;
            Ok(Record::RevokedFamily(Uuid::from_u128(k.value()), v.value()))
        }),
        Kind::Categories => rows(snapshot, CATEGORIES, at, limit, |r| {
            Ok(Record::Category(decode(r?.1.value())?))
        }),
        Kind::Products => rows(snapshot, PRODUCTS, at, limit, |r| {
            Ok(Record::Product(decode(r?.1.value())?))
        }),
        Kind::Stock => rows(snapshot, STOCK, at, limit, |r| {
            let (k, v) = r?;
            Ok(Record::Stock(
                ProductId(Uuid::from_u128(k.value())),
                decode(v.value())?,
            ))
        }),
        Kind::Holds => rows(snapshot, HOLDS, at, limit, |r| {
            let hold: Hold = decode(r?.1.value())?;
            Ok(Record::Hold(hold))
        }),
        Kind::Sales => rows(snapshot, SALES, at, limit, |r| {
            let (k, quantity) = r?;
            let (order, product) = pair(k.value());
            let quantity = u32::try_from(quantity.value())
                .map_err(|_| StoreError::Corrupt("a sale of over 2^32 units".into()))?;
            Ok(Record::Sale(Sale {
                order: OrderId(order),
                product: ProductId(product),
                quantity,
            }))
        }),
        Kind::Carts => rows(snapshot, CARTS, at, limit, |r| {
            Ok(Record::Cart(decode(r?.1.value())?))
        }),
        Kind::Orders => rows(snapshot, ORDERS, at, limit, |r| {
            let id = r?.0.value();
            let order = super::orders::load(snapshot, id)?
                .ok_or_else(|| StoreError::Corrupt("an order vanished mid-read".into()))?;
            Ok(Record::Order(order))
        }),
        Kind::Tickets => rows(snapshot, TICKETS, at, limit, |r| {
            Ok(Record::Ticket(decode(r?.1.value())?))
        }),
        Kind::Meta => rows(snapshot, META, at, limit, |r| {
            let (k, v) = r?;
            Ok(Record::Meta(k.value().to_owned(), decode_str(v.value())?))
        }),
        Kind::ProductVectors => rows(snapshot, PRODUCT_VECTORS, at, limit, |r| {
            let (k, v) = r?;
            let id = ProductId(Uuid::from_u128(k.value()));
            Ok(Record::ProductVector(
                id,
                super::vectors::decode(v.value())?,
            ))
        }),
        Kind::Fences => rows(snapshot, FENCES, at, limit, |r| {
            let (k, v) = r?;
            Ok(Record::Fence(k.value().to_owned(), v.value()))
        }),
    }
}

/// Rows of `table`.
fn rows_in<K: Key, V: Value>(
    snapshot: &Snapshot,
    table: TableDef<K, V>,
) -> Result<u64, StoreError> {
    let table = snapshot.open_table(table)?;
    let mut n = 0;
    for row in table.iter()? {
        row?;
        n += 1;
    }
    Ok(n)
}

/// How many records of `kind` there are.
pub(super) fn count(snapshot: &Snapshot, kind: Kind) -> Result<u64, StoreError> {
    match kind {
        Kind::Users => rows_in(snapshot, USERS),
        Kind::Addresses => rows_in(snapshot, ADDRESSES),
        Kind::RefreshTokens => rows_in(snapshot, REFRESH_TOKENS),
        Kind::RevokedFamilies => rows_in(snapshot, REVOKED_FAMILIES),
        Kind::Categories => rows_in(snapshot, CATEGORIES),
        Kind::Products => rows_in(snapshot, PRODUCTS),
        Kind::Stock => rows_in(snapshot, STOCK),
        Kind::Holds => rows_in(snapshot, HOLDS),
        Kind::Sales => rows_in(snapshot, SALES),
        Kind::Carts => rows_in(snapshot, CARTS),
        Kind::Orders => rows_in(snapshot, ORDERS),
        Kind::Tickets => rows_in(snapshot, TICKETS),
        Kind::Meta => rows_in(snapshot, META),
        Kind::ProductVectors => rows_in(snapshot, PRODUCT_VECTORS),
        Kind::Fences => rows_in(snapshot, FENCES),
    }
}
