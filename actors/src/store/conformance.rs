//! The storage conformance suite: every backend must pass every case.
//!
//! A backend's test file calls [`crate::store_conformance_suite!`] with an async
//! expression that builds a fresh, empty store; each case becomes its own test.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use souk_models::{
    Address, AddressId, AddressInput, Attributes, Cart, CartLine, Category, CategorySlug, Currency,
    Description, DisplayName, Email, Money, OrderId, Product, ProductId, ProductStatus, Quantity,
    Rating, Role, StockLevel, Tier, Title, User, UserId,
};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::{Hold, InventoryChange, RefreshToken, Rotation, Store, StoreError};
use souk_models::{Order, OrderLine, OrderStatus, Ticket, TicketStatus, TimelineKind};

/// Expands to one `#[tokio::test]` per conformance case, each on a fresh store
/// built by `$make` (an async expression yielding `Arc<dyn Store>`).
#[macro_export]
macro_rules! store_conformance_suite {
    ($make:expr) => {
        $crate::store_conformance_suite!(@cases $make;
            users_round_trip, duplicate_email_conflicts, concurrent_duplicate_registrations,
            concurrent_distinct_writes_all_land, update_user_moves_email_index,
            list_users_paginates_and_filters, addresses_are_owned_and_bounded,
            refresh_rotation_and_reuse, concurrent_rotation_has_one_winner,
            expired_refresh_tokens_are_invalid_and_purged, catalog_round_trip, meta_round_trip,
            inventory_changes_are_atomic_and_listed, carts_round_trip, order_timelines_append_in_order,
            concurrent_appends_have_one_winner, orders_are_listed_newest_first_per_buyer_and_seller,
            tickets_are_unique_per_idempotency_key);
    };
    (@cases $make:expr; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let store: std::sync::Arc<dyn $crate::store::Store> = $make.await;
                $crate::store::conformance::$case(store).await;
            }
        )*
    };
}

fn ok<T, E: std::fmt::Debug>(r: Result<T, E>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("unexpected error: {e:?}"),
    }
}

pub fn user(email: &str, role: Role) -> User {
    let now = OffsetDateTime::now_utc();
    User {
        id: UserId::new(),
        email: ok(Email::parse(email)),
        display_name: ok(DisplayName::parse("Test User")),
        role,
        tier: Tier::Standard,
        password_hash: "$argon2id$test".to_owned(),
        disabled: false,
        created_at: now,
        updated_at: now,
    }
}

pub fn product(seller: UserId, title: &str) -> Product {
    let now = OffsetDateTime::now_utc();
    Product {
        id: ProductId::new(),
        seller_id: seller,
        title: ok(Title::parse(title)),
        description: ok(Description::parse("A test product.")),
        category: ok(CategorySlug::parse("test-things")),
        attributes: ok(Attributes::parse(BTreeMap::from([(
            "colour".to_owned(),
            "red".to_owned(),
        )]))),
        images: vec![],
        price: ok(Money::new(1999, Currency::USD)),
        status: ProductStatus::Active,
        rating: Rating::default(),
        created_at: now,
        updated_at: now,
    }
}

fn address(user: UserId, line1: &str) -> Address {
    Address {
        id: AddressId::new(),
        user_id: user,
        fields: AddressInput {
            name: "Ada".into(),
            line1: line1.into(),
            line2: None,
            city: "London".into(),
            region: None,
            postal_code: "N1".into(),
            country: "GB".into(),
            phone: None,
        },
        created_at: OffsetDateTime::now_utc(),
    }
}

fn token(user: UserId, family: Uuid, ttl: Duration) -> RefreshToken {
    RefreshToken {
        hash: Uuid::new_v4().simple().to_string(),
        user_id: user,
        family,
        expires_at: OffsetDateTime::now_utc() + ttl,
        used: false,
    }
}

pub async fn users_round_trip(store: Arc<dyn Store>) {
    let u = user("ada@example.com", Role::Customer);
    ok(store.create_user(&u).await);
    assert_eq!(ok(store.get_user(u.id).await), Some(u.clone()));
    assert_eq!(
        ok(store.find_user_by_email(&u.email).await),
        Some(u.clone())
    );
    assert_eq!(ok(store.get_user(UserId::new()).await), None);
    let other = ok(Email::parse("nobody@example.com"));
    assert_eq!(ok(store.find_user_by_email(&other).await), None);
}

pub async fn duplicate_email_conflicts(store: Arc<dyn Store>) {
    ok(store
        .create_user(&user("ada@example.com", Role::Customer))
        .await);
    let again = store
        .create_user(&user("ADA@example.com", Role::Seller))
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    assert_eq!(ok(store.list_users(None, None, 10).await).len(), 1);
}

pub async fn concurrent_duplicate_registrations(store: Arc<dyn Store>) {
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .create_user(&user("race@example.com", Role::Customer))
                    .await
            })
        })
        .collect();
    let mut won = 0;
    for task in tasks {
        match ok(task.await) {
            Ok(()) => won += 1,
            Err(StoreError::Conflict(_)) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(won, 1);
    assert_eq!(ok(store.list_users(None, None, 100).await).len(), 1);
}

pub async fn concurrent_distinct_writes_all_land(store: Arc<dyn Store>) {
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let u = user(&format!("user{i}@example.com"), Role::Customer);
                store.create_user(&u).await.map(|()| u.id)
            })
        })
        .collect();
    let mut ids = HashSet::new();
    for task in tasks {
        ids.insert(ok(ok(task.await)));
    }
    for id in &ids {
        assert!(ok(store.get_user(*id).await).is_some());
    }
    assert_eq!(ok(store.list_users(None, None, 1000).await).len(), 200);
}

pub async fn update_user_moves_email_index(store: Arc<dyn Store>) {
    let mut a = user("a@example.com", Role::Customer);
    let b = user("b@example.com", Role::Customer);
    ok(store.create_user(&a).await);
    ok(store.create_user(&b).await);
    a.email = ok(Email::parse("a2@example.com"));
    a.tier = Tier::Premium;
    ok(store.update_user(&a).await);
    assert_eq!(
        ok(store.get_user(a.id).await).map(|u| u.tier),
        Some(Tier::Premium)
    );
    assert_eq!(
        ok(store.find_user_by_email(&a.email).await).map(|u| u.id),
        Some(a.id)
    );
    let old = ok(Email::parse("a@example.com"));
    assert_eq!(ok(store.find_user_by_email(&old).await), None);
    // The freed address can be registered again.
    ok(store
        .create_user(&user("a@example.com", Role::Customer))
        .await);
    let mut clash = a.clone();
    clash.email = b.email.clone();
    assert!(matches!(
        store.update_user(&clash).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        ok(store.get_user(a.id).await).map(|u| u.email),
        Some(a.email.clone())
    );
    let ghost = user("ghost@example.com", Role::Customer);
    assert_eq!(store.update_user(&ghost).await, Err(StoreError::NotFound));
}

pub async fn list_users_paginates_and_filters(store: Arc<dyn Store>) {
    let mut created = Vec::new();
    for i in 0..7 {
        let role = if i % 2 == 0 {
            Role::Customer
        } else {
            Role::Seller
        };
        let u = user(&format!("u{i}@example.com"), role);
        ok(store.create_user(&u).await);
        created.push(u.id);
    }
    let first = ok(store.list_users(None, None, 3).await);
    let second = ok(store.list_users(None, first.last().map(|u| u.id), 3).await);
    let third = ok(store.list_users(None, second.last().map(|u| u.id), 3).await);
    let all: Vec<UserId> = [first, second, third]
        .concat()
        .iter()
        .map(|u| u.id)
        .collect();
    assert_eq!(all, created);
    let sellers = ok(store.list_users(Some(Role::Seller), None, 10).await);
    assert_eq!(sellers.len(), 3);
    assert!(sellers.iter().all(|u| u.role == Role::Seller));
}

pub async fn addresses_are_owned_and_bounded(store: Arc<dyn Store>) {
    let (a, b) = (UserId::new(), UserId::new());
    let first = address(a, "1 First St");
    ok(store.add_address(&first, 2).await);
    ok(store.add_address(&address(a, "2 Second St"), 2).await);
    let third = store.add_address(&address(a, "3 Third St"), 2).await;
    assert!(matches!(third, Err(StoreError::LimitReached(_))));
    ok(store.add_address(&address(b, "9 Other St"), 2).await);
    let mine = ok(store.list_addresses(a).await);
    let lines: Vec<_> = mine.iter().map(|x| x.fields.line1.as_str()).collect();
    assert_eq!(lines, ["1 First St", "2 Second St"]);
    assert!(
        !ok(store.delete_address(b, first.id).await),
        "b must not delete a's address"
    );
    assert!(ok(store.delete_address(a, first.id).await));
    assert!(!ok(store.delete_address(a, first.id).await));
    assert_eq!(ok(store.list_addresses(a).await).len(), 1);
    assert_eq!(ok(store.list_addresses(b).await).len(), 1);
}

pub async fn refresh_rotation_and_reuse(store: Arc<dyn Store>) {
    let user = UserId::new();
    let family = Uuid::new_v4();
    let t1 = token(user, family, Duration::days(1));
    ok(store.put_refresh_token(&t1).await);
    let t2 = token(user, family, Duration::days(1));
    let now = OffsetDateTime::now_utc();
    assert_eq!(
        ok(store.rotate_refresh_token(&t1.hash, &t2, now).await),
        Rotation::Rotated(user)
    );
    // Presenting t1 again is reuse: the family, t2 included, is revoked.
    let t3 = token(user, family, Duration::days(1));
    assert_eq!(
        ok(store.rotate_refresh_token(&t1.hash, &t3, now).await),
        Rotation::Reused(user)
    );
    let t4 = token(user, family, Duration::days(1));
    assert_eq!(
        ok(store.rotate_refresh_token(&t2.hash, &t4, now).await),
        Rotation::Invalid
    );
    assert_eq!(
        ok(store.rotate_refresh_token(&t3.hash, &t4, now).await),
        Rotation::Invalid
    );
    assert_eq!(
        ok(store.rotate_refresh_token("unknown", &t4, now).await),
        Rotation::Invalid
    );
    // Logout revokes a live family and is idempotent.
    let other = token(user, Uuid::new_v4(), Duration::days(1));
    ok(store.put_refresh_token(&other).await);
    ok(store.revoke_refresh_family(&other.hash).await);
    ok(store.revoke_refresh_family(&other.hash).await);
    ok(store.revoke_refresh_family("unknown").await);
    let next = token(user, other.family, Duration::days(1));
    assert_eq!(
        ok(store.rotate_refresh_token(&other.hash, &next, now).await),
        Rotation::Invalid
    );
}

pub async fn concurrent_rotation_has_one_winner(store: Arc<dyn Store>) {
    let user = UserId::new();
    let family = Uuid::new_v4();
    let t1 = token(user, family, Duration::days(1));
    ok(store.put_refresh_token(&t1).await);
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (store, hash) = (store.clone(), t1.hash.clone());
            tokio::spawn(async move {
                let next = token(user, family, Duration::days(1));
                store
                    .rotate_refresh_token(&hash, &next, OffsetDateTime::now_utc())
                    .await
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(ok(ok(task.await)));
    }
    let rotated = outcomes
        .iter()
        .filter(|o| **o == Rotation::Rotated(user))
        .count();
    assert_eq!(rotated, 1, "{outcomes:?}");
}

pub async fn expired_refresh_tokens_are_invalid_and_purged(store: Arc<dyn Store>) {
    let user = UserId::new();
    let old = token(user, Uuid::new_v4(), Duration::seconds(-5));
    let live = token(user, Uuid::new_v4(), Duration::days(1));
    ok(store.put_refresh_token(&old).await);
    ok(store.put_refresh_token(&live).await);
    let now = OffsetDateTime::now_utc();
    let next = token(user, old.family, Duration::days(1));
    assert_eq!(
        ok(store.rotate_refresh_token(&old.hash, &next, now).await),
        Rotation::Invalid
    );
    assert_eq!(ok(store.purge_expired_refresh_tokens(now).await), 1);
    let next = token(user, live.family, Duration::days(1));
    assert_eq!(
        ok(store.rotate_refresh_token(&live.hash, &next, now).await),
        Rotation::Rotated(user)
    );
}

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
        sold: false,
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
        remove_holds: vec![],
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
        add_holds: vec![],
        remove_holds: vec![(order1, a), (order1, b)],
    };
    ok(store.apply_inventory(&commit).await);
    assert_eq!(ok(store.list_holds().await), vec![hold(order2, a, 1)]);
    assert_eq!(
        ok(store.get_stock(a).await),
        Some(StockLevel {
            on_hand: 10,
            reserved: 1,
            sold: 2
        })
    );
    // Removing a hold that is not there is not an error.
    let again = InventoryChange {
        remove_holds: vec![(order1, a)],
        ..Default::default()
    };
    ok(store.apply_inventory(&again).await);
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

pub fn order(buyer: UserId, sellers: &[UserId]) -> Order {
    let now = OffsetDateTime::now_utc();
    let lines = sellers
        .iter()
        .map(|seller| OrderLine {
            product_id: ProductId::new(),
            seller_id: *seller,
            title: ok(Title::parse("Thing")),
            unit_price: ok(Money::new(500, Currency::USD)),
            quantity: ok(Quantity::new(2)),
        })
        .collect();
    let mut order = Order {
        id: OrderId::new(),
        buyer_id: buyer,
        lines,
        total: ok(Money::new(1000 * sellers.len() as i64, Currency::USD)),
        shipping_address: address(buyer, "1 Main St").fields,
        payment_deadline: now + Duration::minutes(15),
        created_at: now,
        timeline: vec![],
    };
    let placed = order.entry(OrderStatus::PendingPayment, TimelineKind::Placed, now);
    order.timeline.push(placed);
    order
}

pub async fn order_timelines_append_in_order(store: Arc<dyn Store>) {
    let mut o = order(UserId::new(), &[UserId::new()]);
    ok(store.create_order(&o).await);
    assert!(matches!(
        store.create_order(&o).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(ok(store.get_order(o.id).await), Some(o.clone()));
    assert_eq!(
        ok(store.list_unpaid_orders().await),
        vec![(o.id, o.payment_deadline)]
    );
    let now = OffsetDateTime::now_utc();
    let created = o.entry(
        OrderStatus::PendingPayment,
        TimelineKind::PaymentCreated {
            provider_ref: "pi_1".into(),
        },
        now,
    );
    ok(store.append_order_entry(o.id, &created).await);
    assert!(
        matches!(
            store.append_order_entry(o.id, &created).await,
            Err(StoreError::Conflict(_))
        ),
        "no second entry 2"
    );
    o.timeline.push(created);
    let mut gap = o.entry(OrderStatus::Paid, TimelineKind::PaymentSucceeded, now);
    gap.seq += 1;
    assert!(
        matches!(
            store.append_order_entry(o.id, &gap).await,
            Err(StoreError::Conflict(_))
        ),
        "no gaps"
    );
    let paid = o.entry(OrderStatus::Paid, TimelineKind::PaymentSucceeded, now);
    ok(store.append_order_entry(o.id, &paid).await);
    o.timeline.push(paid);
    assert_eq!(ok(store.get_order(o.id).await), Some(o.clone()));
    assert_eq!(
        ok(store.list_unpaid_orders().await),
        vec![],
        "paid orders have no deadline"
    );
    let ghost = order(UserId::new(), &[]);
    assert_eq!(
        store.append_order_entry(ghost.id, &ghost.timeline[0]).await,
        Err(StoreError::NotFound)
    );
}

pub async fn concurrent_appends_have_one_winner(store: Arc<dyn Store>) {
    let o = order(UserId::new(), &[UserId::new()]);
    ok(store.create_order(&o).await);
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let (store, o) = (store.clone(), o.clone());
            tokio::spawn(async move {
                let kind = TimelineKind::PaymentDeclined {
                    reason: format!("attempt {i}"),
                };
                let entry = o.entry(OrderStatus::PendingPayment, kind, OffsetDateTime::now_utc());
                store.append_order_entry(o.id, &entry).await
            })
        })
        .collect();
    let mut won = 0;
    for task in tasks {
        if ok(task.await).is_ok() {
            won += 1;
        }
    }
    assert_eq!(won, 1);
    assert_eq!(
        ok(store.get_order(o.id).await).map(|o| o.timeline.len()),
        Some(2)
    );
}

pub async fn orders_are_listed_newest_first_per_buyer_and_seller(store: Arc<dyn Store>) {
    let (buyer, other_buyer) = (UserId::new(), UserId::new());
    let (s1, s2) = (UserId::new(), UserId::new());
    let mut mine = Vec::new();
    for i in 0..5 {
        let sellers = if i % 2 == 0 { vec![s1, s2] } else { vec![s1] };
        let o = order(buyer, &sellers);
        ok(store.create_order(&o).await);
        mine.push(o.id);
    }
    ok(store.create_order(&order(other_buyer, &[s2])).await);
    mine.reverse();
    let first = ok(store.list_buyer_orders(buyer, None, 2).await);
    let rest = ok(store
        .list_buyer_orders(buyer, first.last().map(|o| o.id), 10)
        .await);
    let ids: Vec<OrderId> = first.iter().chain(&rest).map(|o| o.id).collect();
    assert_eq!(ids, mine);
    assert_eq!(ok(store.list_seller_orders(s1, None, 10).await).len(), 5);
    let s2_orders = ok(store.list_seller_orders(s2, None, 10).await);
    assert_eq!(
        s2_orders.len(),
        4,
        "3 shared with s1 and one of another buyer"
    );
    assert!(
        s2_orders.windows(2).all(|w| w[0].id > w[1].id),
        "newest first"
    );
    assert!(
        s2_orders.iter().all(|o| o.timeline.len() == 1),
        "lists carry timelines"
    );
}

fn ticket(user: UserId, key: &str) -> Ticket {
    Ticket {
        id: Uuid::now_v7(),
        user_id: user,
        idempotency_key: key.to_owned(),
        lane: "standard".into(),
        shipping_address: address(user, "1 Main St").fields,
        status: TicketStatus::Queued,
        created_at: OffsetDateTime::now_utc(),
    }
}

pub async fn tickets_are_unique_per_idempotency_key(store: Arc<dyn Store>) {
    let (ada, bob) = (UserId::new(), UserId::new());
    let first = ticket(ada, "key-1");
    assert_eq!(ok(store.create_ticket(&first).await), first);
    let retry = ok(store.create_ticket(&ticket(ada, "key-1")).await);
    assert_eq!(retry.id, first.id, "the same key returns the stored ticket");
    let other_user = ticket(bob, "key-1");
    assert_eq!(
        ok(store.create_ticket(&other_user).await).id,
        other_user.id,
        "keys are per user"
    );
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.create_ticket(&ticket(ada, "race")).await })
        })
        .collect();
    let mut ids = HashSet::new();
    for task in tasks {
        ids.insert(ok(ok(task.await)).id);
    }
    assert_eq!(
        ids.len(),
        1,
        "concurrent submissions with one key share a ticket"
    );
    assert_eq!(
        ok(store.find_ticket(ada, "key-1").await).map(|t| t.id),
        Some(first.id)
    );
    assert_eq!(ok(store.list_queued_tickets().await).len(), 3);
    let done = TicketStatus::Completed {
        order_id: first.order_id(),
    };
    ok(store.finish_ticket(first.id, &done).await);
    assert_eq!(
        ok(store.get_ticket(first.id).await).map(|t| t.status),
        Some(done)
    );
    let queued: Vec<Uuid> = ok(store.list_queued_tickets().await)
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(queued.len(), 2);
    assert!(queued.windows(2).all(|w| w[0] < w[1]), "oldest first");
    assert_eq!(
        store
            .finish_ticket(Uuid::now_v7(), &TicketStatus::Queued)
            .await,
        Err(StoreError::NotFound)
    );
}
