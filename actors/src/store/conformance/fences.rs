//! Cases for fenced writes: a write carrying an owner's older epoch is
//! refused once a newer epoch of that owner has written, and writes nothing.

use std::sync::Arc;

use souk_models::{OrderId, ProductId, StockLevel};
use time::{Duration, OffsetDateTime};

use crate::store::{Fence, Hold, InventoryChange, Store, StoreError};

use super::fixtures::*;

fn level(on_hand: u64) -> StockLevel {
    StockLevel {
        on_hand,
        reserved: 0,
        sold: 0,
    }
}

fn refused<T: std::fmt::Debug>(result: Result<T, StoreError>) -> bool {
    matches!(result, Err(StoreError::Fenced(_)))
}

pub async fn fenced_writes_refuse_an_older_epoch(store: Arc<dyn Store>) {
    let (product, other) = (ProductId::new(), ProductId::new());
    let old = store.fenced(Fence::new("inventory/0", 1));
    let new = store.fenced(Fence::new("inventory/0", 2));
    ok(old.put_stock(product, &level(10)).await);
    ok(new.put_stock(product, &level(20)).await);
    assert!(refused(old.put_stock(product, &level(30)).await));
    assert_eq!(
        ok(store.get_stock(product).await),
        Some(level(20)),
        "the older owner's write did not land"
    );
    let change = InventoryChange {
        levels: vec![(product, level(40))],
        add_holds: vec![Hold {
            order: OrderId::new(),
            product,
            quantity: 1,
            expires_at: OffsetDateTime::now_utc() + Duration::minutes(5),
        }],
        ..InventoryChange::default()
    };
    assert!(refused(old.apply_inventory(&change).await));
    assert!(
        ok(store.list_holds().await).is_empty(),
        "no part of a refused change lands"
    );
    assert!(
        refused(old.put_cart(&cart_of_one(product)).await),
        "every kind of write is fenced"
    );
    ok(store
        .fenced(Fence::new("inventory/1", 1))
        .put_stock(other, &level(5))
        .await);
    ok(new.apply_inventory(&change).await);
    assert_eq!(ok(store.list_holds().await).len(), 1);
    ok(store.put_stock(product, &level(50)).await);
    let newest = store.fenced(Fence::new("inventory/0", 3));
    ok(newest.put_stock(product, &level(60)).await);
    assert!(refused(new.put_stock(product, &level(70)).await));
    assert_eq!(ok(store.get_stock(product).await), Some(level(60)));
    assert_eq!(ok(store.get_stock(other).await), Some(level(5)));
}

pub async fn racing_fenced_writers_only_the_newer_lands(store: Arc<dyn Store>) {
    let product = ProductId::new();
    let old = store.fenced(Fence::new("lane/standard", 7));
    let new = store.fenced(Fence::new("lane/standard", 8));
    let older = tokio::spawn(async move {
        let mut outcomes = Vec::new();
        for i in 0..40 {
            outcomes.push(old.put_stock(product, &level(i)).await);
        }
        outcomes
    });
    let newer = tokio::spawn(async move {
        for i in 100..140 {
            ok(new.put_stock(product, &level(i)).await);
        }
    });
    ok(newer.await);
    let outcomes = ok(older.await);
    let first_refused = outcomes.iter().position(|r| refused(r.clone()));
    if let Some(first) = first_refused {
        assert!(
            outcomes[first..].iter().all(|r| refused(r.clone())),
            "once refused, the older owner stays refused"
        );
    }
    assert!(
        outcomes.iter().all(|r| r.is_ok() || refused(r.clone())),
        "{outcomes:?}"
    );
    let older_after = store.fenced(Fence::new("lane/standard", 7));
    assert!(refused(older_after.put_stock(product, &level(1)).await));
    assert_eq!(
        ok(store.get_stock(product).await),
        Some(level(139)),
        "the newer owner's last write is what is stored"
    );
}

fn cart_of_one(product: ProductId) -> souk_models::Cart {
    souk_models::Cart {
        user_id: souk_models::UserId::new(),
        lines: vec![souk_models::CartLine {
            product_id: product,
            quantity: ok(souk_models::Quantity::new(1)),
        }],
        updated_at: OffsetDateTime::now_utc(),
    }
}
