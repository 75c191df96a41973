//! Import into the PostgreSQL store (see `souk_actors::store::copy`): one
//! transaction per batch, each kind written with one array-valued
//! statement, replacing rows with the same key.

use std::collections::BTreeMap;

use deadpool_postgres::Transaction;
use souk_actors::store::StoreError;
use souk_actors::store::copy::{Kind, Record};
use souk_models::{Order, OrderStatus};
use tokio_postgres::types::{Json, ToSql};
use uuid::Uuid;

use super::PostgresStore;
use super::db::{exec, nanos, pg, to_bigint};

/// Upserts of the kinds whose rows are one statement's arrays.
fn upsert(kind: Kind) -> &'static str {
    match kind {
        Kind::Users => {
            "INSERT INTO users (id, email, role, doc) \
            SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[]) \
            ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email, role = EXCLUDED.role, \
            doc = EXCLUDED.doc"
        }
        Kind::Addresses => {
            "INSERT INTO addresses (user_id, id, doc) \
            SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::jsonb[]) \
            ON CONFLICT (user_id, id) DO UPDATE SET doc = EXCLUDED.doc"
        }
        Kind::RefreshTokens => {
            "INSERT INTO refresh_tokens (hash, user_id, family, expires_ns, used) \
            SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::bigint[], $5::boolean[]) \
            ON CONFLICT (hash) DO UPDATE SET user_id = EXCLUDED.user_id, family = EXCLUDED.family, \
            expires_ns = EXCLUDED.expires_ns, used = EXCLUDED.used"
        }
        Kind::RevokedFamilies => {
            "INSERT INTO revoked_families (family, revoked_s) \
            SELECT * FROM unnest($1::uuid[], $2::bigint[]) \
            ON CONFLICT (family) DO UPDATE SET revoked_s = EXCLUDED.revoked_s"
        }
        Kind::Categories => {
            "INSERT INTO categories (slug, doc) \
            SELECT * FROM unnest($1::text[], $2::jsonb[]) \
            ON CONFLICT (slug) DO UPDATE SET doc = EXCLUDED.doc"
        }
        Kind::Products => {
            "INSERT INTO products (id, seller_id, doc) \
            SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::jsonb[]) \
            ON CONFLICT (id) DO UPDATE SET seller_id = EXCLUDED.seller_id, doc = EXCLUDED.doc"
        }
        Kind::Stock => {
            "INSERT INTO stock (product_id, on_hand, reserved, sold) \
            SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::bigint[]) \
            ON CONFLICT (product_id) DO UPDATE SET on_hand = EXCLUDED.on_hand, \
            reserved = EXCLUDED.reserved, sold = EXCLUDED.sold"
        }
        Kind::Holds => {
            "INSERT INTO holds (order_id, product_id, doc) \
            SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::jsonb[]) \
            ON CONFLICT (order_id, product_id) DO UPDATE SET doc = EXCLUDED.doc"
        }
        Kind::Sales => {
            "INSERT INTO sales (order_id, product_id, quantity) \
            SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bigint[]) \
            ON CONFLICT (order_id, product_id) DO UPDATE SET quantity = EXCLUDED.quantity"
        }
        Kind::Carts => {
            "INSERT INTO carts (user_id, doc) \
            SELECT * FROM unnest($1::uuid[], $2::jsonb[]) \
            ON CONFLICT (user_id) DO UPDATE SET doc = EXCLUDED.doc"
        }
        Kind::Tickets => {
            "INSERT INTO tickets (id, user_id, idempotency_key, queued, doc) \
            SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::boolean[], $5::jsonb[]) \
            ON CONFLICT (id) DO UPDATE SET user_id = EXCLUDED.user_id, \
            idempotency_key = EXCLUDED.idempotency_key, queued = EXCLUDED.queued, \
            doc = EXCLUDED.doc"
        }
        Kind::Meta => {
            "INSERT INTO meta (key, value) SELECT * FROM unnest($1::text[], $2::text[]) \
            ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
        }
        Kind::ProductVectors => {
            "INSERT INTO product_vectors (product_id, content_hash, vector) \
            SELECT * FROM unnest($1::uuid[], $2::bytea[], $3::bytea[]) \
            ON CONFLICT (product_id) DO UPDATE SET content_hash = EXCLUDED.content_hash, \
            vector = EXCLUDED.vector"
        }
        Kind::Fences => {
            "INSERT INTO fences (owner, epoch) SELECT * FROM unnest($1::text[], $2::bigint[]) \
            ON CONFLICT (owner) DO UPDATE SET epoch = EXCLUDED.epoch"
        }
        Kind::Orders => ORDERS,
    }
}

/// Orders: headers, whole timelines (stale entries are deleted first) and
/// seller index entries.
const ORDERS: &str = "\
WITH headers AS (
    INSERT INTO orders (id, buyer_id, unpaid_deadline_ns, doc)
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::jsonb[])
    ON CONFLICT (id) DO UPDATE SET buyer_id = EXCLUDED.buyer_id,
        unpaid_deadline_ns = EXCLUDED.unpaid_deadline_ns, doc = EXCLUDED.doc
), entries AS (
    INSERT INTO order_entries (order_id, seq, doc)
    SELECT * FROM unnest($5::uuid[], $6::bigint[], $7::jsonb[])
)
INSERT INTO seller_orders (seller_id, order_id)
SELECT * FROM unnest($8::uuid[], $9::uuid[]) ON CONFLICT DO NOTHING";

/// One column of a batch's rows.
type Column = Box<dyn ToSql + Sync + Send>;

fn col<T: ToSql + Sync + Send + 'static>(values: T) -> Column {
    Box::new(values)
}

/// A batch's rows as the statement's columns.
fn columns(kind: Kind, records: &[&Record]) -> Result<Vec<Column>, StoreError> {
    macro_rules! each {
        ($pattern:pat => $value:expr) => {
            records
                .iter()
                .filter_map(|r| match r {
                    $pattern => Some($value),
                    _ => None,
                })
                .collect::<Vec<_>>()
        };
    }
    Ok(match kind {
        Kind::Users => vec![
            col(each!(Record::User(u) => u.id.0)),
            col(each!(Record::User(u) => u.email.as_str().to_owned())),
            col(each!(Record::User(u) => u.role.as_str().to_owned())),
            col(each!(Record::User(u) => Json(u.clone()))),
        ],
        Kind::Addresses => vec![
            col(each!(Record::Address(a) => a.user_id.0)),
            col(each!(Record::Address(a) => a.id.0)),
            col(each!(Record::Address(a) => Json(a.clone()))),
        ],
        Kind::RefreshTokens => vec![
            col(each!(Record::RefreshToken(t) => t.hash.clone())),
            col(each!(Record::RefreshToken(t) => t.user_id.0)),
            col(each!(Record::RefreshToken(t) => t.family)),
            col(each!(Record::RefreshToken(t) => nanos(t.expires_at))
                .into_iter()
                .collect::<Result<Vec<_>, _>>()?),
            col(each!(Record::RefreshToken(t) => t.used)),
        ],
        Kind::RevokedFamilies => vec![
            col(each!(Record::RevokedFamily(f, _) => *f)),
            col(each!(Record::RevokedFamily(_, at) => *at)),
        ],
        Kind::Categories => vec![
            col(each!(Record::Category(c) => c.slug.as_str().to_owned())),
            col(each!(Record::Category(c) => Json(c.clone()))),
        ],
        Kind::Products => vec![
            col(each!(Record::Product(p) => p.id.0)),
            col(each!(Record::Product(p) => p.seller_id.0)),
            col(each!(Record::Product(p) => Json(p.clone()))),
        ],
        Kind::Stock => {
            let levels = each!(Record::Stock(id, l) => (id.0, *l));
            let mut counts: [Vec<i64>; 3] = Default::default();
            for (_, l) in &levels {
                counts[0].push(to_bigint(l.on_hand, "unit count")?);
                counts[1].push(to_bigint(l.reserved, "unit count")?);
                counts[2].push(to_bigint(l.sold, "unit count")?);
            }
            let [on_hand, reserved, sold] = counts;
            vec![
                col(levels.iter().map(|(id, _)| *id).collect::<Vec<Uuid>>()),
                col(on_hand),
                col(reserved),
                col(sold),
            ]
        }
        Kind::Holds => vec![
            col(each!(Record::Hold(h) => h.order.0)),
            col(each!(Record::Hold(h) => h.product.0)),
            col(each!(Record::Hold(h) => Json(*h))),
        ],
        Kind::Sales => vec![
            col(each!(Record::Sale(s) => s.order.0)),
            col(each!(Record::Sale(s) => s.product.0)),
            col(each!(Record::Sale(s) => i64::from(s.quantity))),
        ],
        Kind::Carts => vec![
            col(each!(Record::Cart(c) => c.user_id.0)),
            col(each!(Record::Cart(c) => Json(c.clone()))),
        ],
        Kind::Tickets => vec![
            col(each!(Record::Ticket(t) => t.id)),
            col(each!(Record::Ticket(t) => t.user_id.0)),
            col(each!(Record::Ticket(t) => t.idempotency_key.clone())),
            col(each!(Record::Ticket(t) => !t.status.is_done())),
            col(each!(Record::Ticket(t) => Json(t.clone()))),
        ],
        Kind::Meta => vec![
            col(each!(Record::Meta(k, _) => k.clone())),
            col(each!(Record::Meta(_, v) => v.clone())),
        ],
        Kind::ProductVectors => vec![
            col(each!(Record::ProductVector(id, _) => id.0)),
            col(each!(Record::ProductVector(_, v) => v.content_hash.to_vec())),
            col(each!(Record::ProductVector(_, v) => v.vector.clone())),
        ],
        Kind::Fences => vec![
            col(each!(Record::Fence(owner, _) => owner.clone())),
            col(each!(Record::Fence(_, epoch) => to_bigint(*epoch, "epoch"))
                .into_iter()
                .collect::<Result<Vec<_>, _>>()?),
        ],
        Kind::Orders => order_columns(&each!(Record::Order(o) => o))?,
    })
}

fn order_columns(orders: &[&Order]) -> Result<Vec<Column>, StoreError> {
    let mut c = OrderColumns::default();
    for order in orders {
        c.ids.push(order.id.0);
        c.buyers.push(order.buyer_id.0);
        c.deadlines.push(
            (order.status() == OrderStatus::PendingPayment)
                .then(|| nanos(order.payment_deadline))
                .transpose()?,
        );
        c.headers.push(Json(Order {
            timeline: vec![],
            ..(*order).clone()
        }));
        for entry in &order.timeline {
            c.entry_orders.push(order.id.0);
            c.seqs.push(to_bigint(entry.seq, "timeline entry")?);
            c.entries.push(Json(entry.clone()));
        }
        for seller in order.sellers() {
            c.sellers.push(seller.0);
            c.seller_orders.push(order.id.0);
        }
    }
    Ok(vec![
        col(c.ids),
        col(c.buyers),
        col(c.deadlines),
        col(c.headers),
        col(c.entry_orders),
        col(c.seqs),
        col(c.entries),
        col(c.sellers),
        col(c.seller_orders),
    ])
}

#[derive(Default)]
struct OrderColumns {
    ids: Vec<Uuid>,
    buyers: Vec<Uuid>,
    deadlines: Vec<Option<i64>>,
    headers: Vec<Json<Order>>,
    entry_orders: Vec<Uuid>,
    seqs: Vec<i64>,
    entries: Vec<Json<souk_models::TimelineEntry>>,
    sellers: Vec<Uuid>,
    seller_orders: Vec<Uuid>,
}

async fn import_kind(
    tx: &Transaction<'_>,
    kind: Kind,
    records: &[&Record],
) -> Result<(), StoreError> {
    if kind == Kind::Orders {
        let ids: Vec<Uuid> = records
            .iter()
            .filter_map(|r| match r {
                Record::Order(o) => Some(o.id.0),
                _ => None,
            })
            .collect();
        exec(
            tx,
            "DELETE FROM order_entries WHERE order_id = ANY($1)",
            &[&ids],
        )
        .await?;
    }
    let columns = columns(kind, records)?;
    let params: Vec<&(dyn ToSql + Sync)> = columns
        .iter()
        .map(|c| c.as_ref() as &(dyn ToSql + Sync))
        .collect();
    exec(tx, upsert(kind), &params).await?;
    Ok(())
}

impl PostgresStore {
    pub(super) async fn import_records(&self, records: &[Record]) -> Result<(), StoreError> {
        self.users.forget(None);
        // One record per key (the last), grouped by kind.
        let mut by_kind: BTreeMap<Kind, BTreeMap<String, &Record>> = BTreeMap::new();
        for record in records {
            by_kind
                .entry(record.kind())
                .or_default()
                .insert(record.key(), record);
        }
        let mut client = self.client().await?;
        let tx = self.begin(&mut client).await?;
        for (kind, records) in by_kind {
            let records: Vec<&Record> = records.into_values().collect();
            import_kind(&tx, kind, &records).await?;
        }
        let committed = tx.commit().await.map_err(pg);
        self.users.forget(None);
        committed
    }
}
