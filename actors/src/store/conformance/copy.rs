//! The copy case: a marketplace with one or more of every kind of record is
//! built in the in-memory store, imported into the backend page by page, and
//! the backend then exports exactly what was imported (each record once) and
//! serves it through every port, indexes included.

use std::sync::Arc;

use souk_models::{
    Cart, CartLine, Category, CategorySlug, OrderStatus, ProductId, Quantity, Role, StockLevel,
    Ticket, TicketStatus, TimelineKind,
};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::store::copy::{CopyStore, Kind, Record};
use crate::store::{Fence, Hold, InventoryChange, MemoryStore, ProductVector, Sale, Store};

use super::fixtures::*;
use super::orders::order;

/// Every record of `kind` in `store`, read `page` at a time.
async fn export_all(store: &dyn CopyStore, kind: Kind, page: usize) -> Vec<Record> {
    let mut out: Vec<Record> = Vec::new();
    loop {
        let after = out.last().map(Record::key);
        let next = ok(store.export(kind, after.as_deref(), page).await);
        if next.is_empty() {
            return out;
        }
        assert!(next.len() <= page);
        out.extend(next);
    }
}

/// A small marketplace with every kind of record, written through the ports.
async fn marketplace(store: Arc<dyn Store>) -> (souk_models::User, Ticket, souk_models::Order) {
    let buyer = user("buyer@example.com", Role::Customer);
    let seller = user("seller@example.com", Role::Seller);
    ok(store.create_user(&buyer).await);
    ok(store.create_user(&seller).await);
    ok(store.add_address(&address(buyer.id, "1 Main St"), 5).await);
    ok(store
        .put_refresh_token(&token(buyer.id, Uuid::new_v4(), Duration::days(1)))
        .await);
    let revoked = token(seller.id, Uuid::new_v4(), Duration::days(1));
    ok(store.put_refresh_token(&revoked).await);
    ok(store.revoke_refresh_family(&revoked.hash).await);
    let category = Category {
        slug: ok(CategorySlug::parse("test-things")),
        name: "Things".into(),
        description: "".into(),
    };
    let products: Vec<_> = (0..5)
        .map(|i| {
            let level = StockLevel {
                on_hand: 10 + i,
                reserved: 1,
                sold: 2,
            };
            (product(seller.id, &format!("Item {i}")), level)
        })
        .collect();
    ok(store.put_catalog_batch(&[category], &products).await);
    let first = products[0].0.id;
    let placed = order(buyer.id, &[seller.id]);
    let held = Hold {
        order: placed.id,
        product: first,
        quantity: 1,
        expires_at: OffsetDateTime::now_utc() + Duration::minutes(15),
    };
    let sold = Sale {
        order: souk_models::OrderId::new(),
        product: first,
        quantity: 2,
    };
    let change = InventoryChange {
        add_holds: vec![held],
        add_sales: vec![sold],
        ..InventoryChange::default()
    };
    ok(store.apply_inventory(&change).await);
    let cart = Cart {
        user_id: seller.id,
        lines: vec![CartLine {
            product_id: first,
            quantity: ok(Quantity::new(1)),
        }],
        updated_at: OffsetDateTime::now_utc(),
    };
    ok(store.put_cart(&cart).await);
    let queued = Ticket {
        id: Uuid::now_v7(),
        user_id: buyer.id,
        idempotency_key: "key-1".into(),
        lane: "standard".into(),
        shipping_address: address(buyer.id, "1 Main St").fields,
        status: TicketStatus::Queued,
        created_at: OffsetDateTime::now_utc(),
    };
    ok(store.create_ticket(&queued).await);
    ok(store.create_order(&placed, &[]).await);
    let paid = order(buyer.id, &[seller.id]);
    ok(store.create_order(&paid, &[]).await);
    let now = OffsetDateTime::now_utc();
    let entry = paid.entry(
        OrderStatus::Paid,
        TimelineKind::PaymentSucceeded { event: None },
        now,
    );
    ok(store.append_order_entry(paid.id, &entry, &[]).await);
    ok(store.put_meta("schema", "1").await);
    let vector = ProductVector {
        content_hash: [7; 32],
        vector: vec![1, 2, 3, 4],
    };
    ok(store.put_product_vectors(&[(first, vector)]).await);
    ok(store
        .fenced(Fence::new("inventory/0", 3))
        .put_meta("fenced", "yes")
        .await);
    (buyer, queued, placed)
}

pub async fn copy_moves_every_record(store: Arc<dyn Store>) {
    let source: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let (buyer, queued, placed) = marketplace(source.clone()).await;
    for kind in Kind::ALL {
        let records = export_all(source.as_ref(), kind, 2).await;
        assert!(!records.is_empty(), "the marketplace has {}", kind.name());
        for page in records.chunks(2) {
            ok(store.import(page).await);
        }
        // Importing again replaces: nothing doubles.
        ok(store.import(&records).await);
        let mut copied: Vec<Record> = export_all(store.as_ref(), kind, 3)
            .await
            .into_iter()
            .filter(|r| !r.is_own_setting())
            .collect();
        // Each backend pages in its own order (ScyllaDB: partition tokens).
        copied.sort_by_key(Record::key);
        let keys: Vec<String> = copied.iter().map(Record::key).collect();
        assert!(
            keys.windows(2).all(|w| w[0] < w[1]),
            "{} exported each once",
            kind.name()
        );
        assert_eq!(copied, records, "{} copied as they were", kind.name());
    }
    assert_eq!(
        ok(store.find_user_by_email(&buyer.email).await).map(|u| u.id),
        Some(buyer.id)
    );
    assert_eq!(ok(store.list_addresses(buyer.id).await).len(), 1);
    assert_eq!(
        ok(store.find_ticket(buyer.id, "key-1").await).map(|t| t.id),
        Some(queued.id)
    );
    assert_eq!(ok(store.list_queued_tickets().await).len(), 1);
    assert_eq!(
        ok(store.list_unpaid_orders().await),
        vec![(placed.id, placed.payment_deadline)]
    );
    assert_eq!(
        ok(store.list_buyer_orders(buyer.id, None, 10).await).len(),
        2
    );
    let seller = placed.lines[0].seller_id;
    assert_eq!(
        ok(store.list_seller_orders(seller, None, 10).await).len(),
        2
    );
    assert_eq!(ok(store.get_order(placed.id).await), Some(placed));
    assert_eq!(ok(store.list_holds().await).len(), 1);
    let stale = store.fenced(Fence::new("inventory/0", 2));
    assert!(
        stale.put_meta("fenced", "no").await.is_err(),
        "copied fences still fence"
    );
    assert!(ok(store.get_product_vector(ProductId::new()).await).is_none());
}
