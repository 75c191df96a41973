//! Cases for categories, products, stock, holds, carts and settings.

use std::sync::Arc;

use souk_models::{
    Cart, CartLine, Category, CategorySlug, OrderId, ProductId, ProductStatus, Quantity,
    StockLevel, UserId,
};
use time::{Duration, OffsetDateTime};

use crate::store::{Hold, InventoryChange, Sale, Store};

use super::fixtures::*;

pub async fn catalog_round_trip(store: Arc<dyn Store>) {
    let slug = ok(CategorySlug::parse("test-things"));
    let mut category = Category {
        slug: slug.clone(),
        name: "Things".into(),
        description: "".into(),
    };
    ok(store.put_category(&category).await);
    category.name = "Test things".into();
    ok(store.put_category(&category).await);
    assert_eq!(ok(store.list_categories().await), vec![category.clone()]);

    let seller = UserId::new();
    let mut p = product(seller, "Red kettle");
    ok(store.put_product(&p).await);
    p.status = ProductStatus::Archived;
    ok(store.put_product(&p).await);
    assert_eq!(ok(store.get_product(p.id).await), Some(p.clone()));
    assert_eq!(ok(store.get_product(ProductId::new()).await), None);

    let level = StockLevel {
        on_hand: 10,
        reserved: 2,
        sold: 3,
    };
    ok(store.put_stock(p.id, &level).await);
    assert_eq!(ok(store.get_stock(p.id).await), Some(level));

    let batch: Vec<_> = (0..50)
        .map(|i| {
            (
                product(seller, &format!("Item {i}")),
                StockLevel {
                    on_hand: i,
                    ..Default::default()
                },
            )
        })
        .collect();
    ok(store.put_catalog_batch(&[category.clone()], &batch).await);
    assert_eq!(ok(store.list_products().await).len(), 51);
    let stock = ok(store.list_stock().await);
    assert_eq!(stock.len(), 51);
    for (product, level) in &batch {
        assert!(stock.contains(&(product.id, *level)));
    }
}

pub async fn meta_round_trip(store: Arc<dyn Store>) {
    assert_eq!(ok(store.get_meta("demo_seeded").await), None);
    ok(store.put_meta("demo_seeded", "1").await);
    ok(store.put_meta("demo_seeded", "2").await);
    assert_eq!(
        ok(store.get_meta("demo_seeded").await),
        Some("2".to_owned())
    );
}

pub async fn inventory_changes_are_atomic_and_listed(store: Arc<dyn Store>) {
    let (a, b) = (ProductId::new(), ProductId::new());
    let (order1, order2) = (OrderId::new(), OrderId::new());
    let expires_at = OffsetDateTime::now_utc() + Duration::minutes(15);
    let hold = |order, product, quantity| Hold {
        order,
        product,
        quantity,
        expires_at,
    };
    let sale = |order, product, quantity| Sale {
        order,
        product,
        quantity,
    };
    let reserve = InventoryChange {
        levels: vec![
            (
                a,
                StockLevel {
                    on_hand: 10,
                    reserved: 3,
                    sold: 0,
                },
            ),
            (
                b,
                StockLevel {
                    on_hand: 5,
                    reserved: 1,
                    sold: 0,
                },
            ),
        ],
        add_holds: vec![hold(order1, a, 2), hold(order1, b, 1), hold(order2, a, 1)],
        ..Default::default()
    };
    ok(store.apply_inventory(&reserve).await);
    let mut holds = ok(store.list_holds().await);
    holds.sort_by_key(|h| (h.order, h.product));
    let mut expected = reserve.add_holds.clone();
    expected.sort_by_key(|h| (h.order, h.product));
    assert_eq!(holds, expected);
    assert_eq!(ok(store.get_stock(b).await).map(|l| l.reserved), Some(1));

    let commit = InventoryChange {
        levels: vec![
            (
                a,
                StockLevel {
                    on_hand: 10,
                    reserved: 1,
                    sold: 2,
                },
            ),
            (
                b,
                StockLevel {
                    on_hand: 5,
                    reserved: 0,
                    sold: 1,
                },
            ),
        ],
        remove_holds: vec![(order1, a), (order1, b)],
        add_sales: vec![sale(order1, a, 2), sale(order1, b, 1)],
        ..Default::default()
    };
    ok(store.apply_inventory(&commit).await);
    assert_eq!(ok(store.list_holds().await), vec![hold(order2, a, 1)]);
    let mut sales = ok(store.order_sales(order1).await);
    sales.sort_by_key(|s| s.product);
    let mut expected = commit.add_sales.clone();
    expected.sort_by_key(|s| s.product);
    assert_eq!(sales, expected, "a paid order's sales read back");
    assert_eq!(ok(store.order_sales(order2).await), vec![]);
    assert_eq!(
        ok(store.get_stock(a).await),
        Some(StockLevel {
            on_hand: 10,
            reserved: 1,
            sold: 2
        })
    );
    // Removing a hold or a sale that is not there is not an error.
    let again = InventoryChange {
        remove_holds: vec![(order1, a)],
        remove_sales: vec![(order1, a), (order2, b)],
        ..Default::default()
    };
    ok(store.apply_inventory(&again).await);
    assert_eq!(
        ok(store.order_sales(order1).await),
        vec![sale(order1, b, 1)],
        "only the sale removed is gone"
    );
}

pub async fn carts_round_trip(store: Arc<dyn Store>) {
    let user = UserId::new();
    assert_eq!(ok(store.get_cart(user).await), None);
    let line = |n| CartLine {
        product_id: ProductId::new(),
        quantity: ok(Quantity::new(n)),
    };
    let mut cart = Cart {
        user_id: user,
        lines: vec![line(1), line(3)],
        updated_at: OffsetDateTime::now_utc(),
    };
    ok(store.put_cart(&cart).await);
    assert_eq!(ok(store.get_cart(user).await), Some(cart.clone()));
    assert_eq!(
        ok(store.get_cart(UserId::new()).await),
        None,
        "carts are per user"
    );
    cart.lines.clear();
    ok(store.put_cart(&cart).await);
    assert_eq!(
        ok(store.get_cart(user).await),
        None,
        "an empty cart is deleted"
    );
}

pub async fn product_vectors_round_trip(store: Arc<dyn Store>) {
    use crate::store::ProductVector;
    assert!(ok(store.list_product_vectors().await).is_empty());
    let (a, b) = (ProductId::new(), ProductId::new());
    let first = ProductVector {
        content_hash: [1; 32],
        vector: vec![0, 0, 128, 63],
    };
    let second = ProductVector {
        content_hash: [2; 32],
        vector: vec![0, 0, 0, 64],
    };
    ok(store
        .put_product_vectors(&[(a, first.clone()), (b, first.clone())])
        .await);
    ok(store.put_product_vectors(&[(b, second.clone())]).await);
    let mut listed = ok(store.list_product_vectors().await);
    listed.sort_by_key(|(id, _)| *id == b);
    assert_eq!(listed, vec![(a, first.clone()), (b, second)]);
    assert_eq!(ok(store.get_product_vector(a).await), Some(first));
    assert_eq!(ok(store.get_product_vector(ProductId::new()).await), None);
}
