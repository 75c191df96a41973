//! The checkout queue over the in-memory store: a flash sale never oversells,
//! idempotency keys make one order, lanes honour priority without starving,
//! full lanes refuse, and waiting tickets survive a restart.

mod again;
mod flash;
mod lanes;
mod live;

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use souk_models::{
    AddressInput, Attributes, Category, CategorySlug, Currency, Description, Money, OrderId,
    OrderStatus, Product, ProductId, ProductStatus, Rating, Role, StockLevel, Tier, Title, User,
    UserId,
};
use time::OffsetDateTime;

use super::{
    CheckoutConfig, CheckoutError, CheckoutHandle, CheckoutOutcome, CheckoutParts, LaneConfig,
    LaneSettings,
};
use crate::cart::{CartHandle, LineChange};
use crate::catalog::Catalog;
use crate::directory::Passivation;
use crate::events::EventBus;
use crate::inventory::{InventoryHandle, InventorySupervisor};
use crate::order::OrderHandle;
use crate::payments::SandboxPayments;
use crate::store::{MemoryStore, OrderStore, Store};

struct Shop {
    store: Arc<MemoryStore>,
    catalog: Arc<Catalog>,
    carts: CartHandle,
    inventory: InventoryHandle,
    orders: OrderHandle,
    checkout: CheckoutHandle,
    events: EventBus,
}

fn config(max_in_flight: usize, capacity: usize, wait: Duration) -> CheckoutConfig {
    let lane = |name: &str, weight, tiers: Vec<Tier>| LaneSettings {
        lane: LaneConfig {
            name: name.into(),
            weight,
            capacity,
        },
        tiers,
    };
    CheckoutConfig {
        lanes: vec![
            lane("priority", 3, vec![Tier::Plus, Tier::Premium]),
            lane("standard", 1, vec![Tier::Standard]),
        ],
        max_in_flight,
        starvation: Duration::from_secs(30),
        wait,
        payment_window: Duration::from_secs(900),
        expiry_warning: Duration::from_secs(300),
        call_timeout: Duration::from_secs(10),
        taxes: souk_models::TaxTable::default(),
    }
}

async fn shop(stock: &[u64], config: CheckoutConfig) -> (Shop, Vec<ProductId>) {
    let store = Arc::new(MemoryStore::new());
    let dyn_store: Arc<dyn Store> = store.clone();
    let catalog = Arc::new(
        Catalog::load(dyn_store.clone(), Currency::USD)
            .await
            .expect("the catalog loads"),
    );
    let slug = CategorySlug::parse("things").expect("a valid category slug");
    let now = OffsetDateTime::now_utc();
    let products: Vec<(Product, StockLevel)> = stock
        .iter()
        .enumerate()
        .map(|(i, units)| {
            let product = Product {
                id: ProductId::new(),
                seller_id: UserId::new(),
                title: Title::parse(&format!("Thing {i}")).expect("a valid title"),
                description: Description::parse("").expect("a valid description"),
                category: slug.clone(),
                attributes: Attributes::parse(BTreeMap::new()).expect("valid attributes"),
                images: vec![],
                price: Money::new(1000, Currency::USD).expect("a valid price"),
                status: ProductStatus::Active,
                rating: Rating::default(),
                low_stock_threshold: None,
                created_at: now,
                updated_at: now,
            };
            (
                product,
                StockLevel {
                    on_hand: *units,
                    ..Default::default()
                },
            )
        })
        .collect();
    let ids = products.iter().map(|(p, _)| p.id).collect();
    let category = Category {
        slug,
        name: "Things".into(),
        description: String::new(),
    };
    catalog
        .seed(vec![category], products)
        .await
        .expect("the catalog is seeded");
    let events = EventBus::new(Default::default());
    let (inventory, _) = InventorySupervisor::start(
        dyn_store.clone(),
        Some(catalog.clone()),
        events.clone(),
        5,
        4,
        Duration::from_secs(10),
    )
    .await
    .expect("the inventory supervisor starts");
    let carts = CartHandle::start(
        dyn_store.clone(),
        4,
        Duration::from_secs(600),
        Duration::from_secs(10),
    )
    .await
    .expect("the carts start");
    let orders = OrderHandle::start(
        dyn_store.clone(),
        inventory.clone(),
        Arc::new(SandboxPayments),
        events.clone(),
        Passivation {
            idle: Duration::from_secs(600),
            max_live: 10_000,
        },
        Duration::from_secs(10),
    )
    .await
    .expect("the order directory starts");
    let checkout = CheckoutHandle::start(CheckoutParts {
        config,
        store: dyn_store,
        catalog: catalog.clone(),
        carts: carts.clone(),
        inventory: inventory.clone(),
        orders: orders.clone(),
        events: events.clone(),
    })
    .await
    .expect("the checkout starts");
    (
        Shop {
            store,
            catalog,
            carts,
            inventory,
            orders,
            checkout,
            events,
        },
        ids,
    )
}

fn shopper(tier: Tier) -> User {
    let now = OffsetDateTime::now_utc();
    let email = format!("{}@example.com", uuid::Uuid::new_v4().simple());
    User {
        tier,
        ..User::new(
            souk_models::Email::parse(&email).expect("a valid email"),
            souk_models::DisplayName::parse("Shopper").expect("a valid display name"),
            Role::Customer,
            String::new(),
            now,
        )
    }
}

fn address() -> AddressInput {
    AddressInput {
        name: "Ada".into(),
        line1: "1 Main St".into(),
        line2: None,
        city: "London".into(),
        region: None,
        postal_code: "N1".into(),
        country: "GB".into(),
        phone: None,
    }
}

async fn fill(shop: &Shop, user: &User, lines: &[(ProductId, u32)]) {
    for (product, units) in lines {
        shop.carts
            .change(user.id, *product, LineChange::Add(*units), 1000)
            .await
            .expect("the line goes in the cart");
    }
}

async fn assert_invariant(shop: &Shop, product: ProductId, on_hand: u64) {
    let level = shop
        .inventory
        .level(product)
        .await
        .expect("the stock level reads");
    assert_eq!(level.on_hand, on_hand);
    assert_eq!(
        level.on_hand,
        level.available() + level.reserved + level.sold
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_idempotency_key_makes_one_order() {
    let (shop, ids) = shop(&[10], config(4, 100, Duration::from_secs(30))).await;
    let shop = Arc::new(shop);
    let user = shopper(Tier::Standard);
    fill(&shop, &user, &[(ids[0], 2)]).await;
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (shop, user) = (shop.clone(), user.clone());
            tokio::spawn(async move { shop.checkout.submit(&user, "same-key", address()).await })
        })
        .collect();
    let mut orders = HashSet::new();
    for task in tasks {
        if let Ok(CheckoutOutcome::Completed { order_id, .. }) =
            task.await.expect("the checkout task finishes")
        {
            orders.insert(order_id);
        }
    }
    assert_eq!(orders.len(), 1);
    let again = shop.checkout.submit(&user, "same-key", address()).await;
    assert!(
        matches!(again, Ok(CheckoutOutcome::Completed { order_id, .. }) if orders.contains(&order_id))
    );
    let level = shop
        .inventory
        .level(ids[0])
        .await
        .expect("the stock level reads");
    assert_eq!(level.reserved, 2, "reserved once");
    let empty = shop.checkout.submit(&user, "new-key", address()).await;
    assert_eq!(
        empty.err(),
        Some(CheckoutError::EmptyCart),
        "the cart was cleared"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn priority_goes_first_without_starving_the_standard_lane() {
    let (shop, ids) = shop(&[1000], config(1, 100, Duration::ZERO)).await;
    shop.checkout.hold(true);
    let mut submitted = Vec::new();
    for tier in [
        Tier::Standard,
        Tier::Standard,
        Tier::Standard,
        Tier::Standard,
        Tier::Plus,
        Tier::Plus,
        Tier::Premium,
        Tier::Plus,
        Tier::Plus,
        Tier::Premium,
    ] {
        let user = shopper(tier);
        fill(&shop, &user, &[(ids[0], 1)]).await;
        match shop.checkout.submit(&user, "k", address()).await {
            Ok(CheckoutOutcome::Pending {
                ticket,
                lane,
                position,
            }) => {
                assert_eq!(
                    lane,
                    if tier == Tier::Standard {
                        "standard"
                    } else {
                        "priority"
                    }
                );
                assert!(position.is_some());
                submitted.push((ticket, tier));
            }
            other => panic!("{other:?}"),
        }
    }
    shop.checkout.hold(false);
    // Wait until every ticket is done, then order them by when their order was made.
    let mut done = Vec::new();
    for _ in 0..500 {
        done.clear();
        for (ticket, tier) in &submitted {
            let order = shop
                .store
                .get_order(OrderId(*ticket))
                .await
                .expect("the order reads");
            if let Some(order) = order {
                done.push((order.created_at, *tier, *ticket));
            }
        }
        if done.len() == submitted.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(done.len(), submitted.len(), "every ticket was processed");
    done.sort_by_key(|(at, _, _)| *at);
    let tiers: Vec<bool> = done.iter().map(|(_, t, _)| *t != Tier::Standard).collect();
    assert!(
        tiers[0] && tiers[1],
        "priority tickets submitted later go first: {tiers:?}"
    );
    let first_standard = tiers.iter().position(|p| !p).unwrap_or(usize::MAX);
    assert!(
        first_standard < 6,
        "the standard lane progresses before priority is exhausted: {tiers:?}"
    );
    for priority in [true, false] {
        let lane: Vec<_> = done
            .iter()
            .filter(|(_, t, _)| (*t != Tier::Standard) == priority)
            .map(|(_, _, id)| *id)
            .collect();
        let arrival: Vec<_> = submitted
            .iter()
            .filter(|(_, t)| (*t != Tier::Standard) == priority)
            .map(|(id, _)| *id)
            .collect();
        assert_eq!(lane, arrival, "arrival order within the lane");
    }
}

#[tokio::test]
async fn sold_out_carts_are_refused_at_once() {
    let (shop, ids) = shop(&[0], config(4, 10, Duration::from_secs(10))).await;
    let user = shopper(Tier::Standard);
    fill(&shop, &user, &[(ids[0], 1)]).await;
    let outcome = shop.checkout.submit(&user, "k", address()).await;
    assert!(
        matches!(outcome, Ok(CheckoutOutcome::Rejected { ref reason, .. }) if reason == "out_of_stock"),
        "{outcome:?}"
    );
}
