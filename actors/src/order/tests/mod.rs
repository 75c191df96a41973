//! Orders over the in-memory store: payment, decline, expiry with paused time,
//! deadlines re-armed after a restart, races, permissions, crashes.

use std::sync::Arc;
use std::time::Duration;

use souk_models::{
    AddressInput, Caller, Currency, Money, OrderId, OrderLine, OrderStatus, ProductId, Quantity,
    Role, Shipment, StockLevel, TimelineKind, Timestamp, Title, UserId,
};
use time::OffsetDateTime;

use super::actor::OrderMsg;
use super::{NewOrder, OrderError, OrderHandle};
use crate::directory::Passivation;
use crate::events::{EventBus, Sink, Topic};
use crate::inventory::{InventoryHandle, InventorySupervisor};
use crate::payments::{SandboxPayments, TEST_CARD_DECLINED, TEST_CARD_OK};
use crate::store::{CatalogStore, MemoryStore, Store};

struct World {
    store: Arc<MemoryStore>,
    inventory: InventoryHandle,
    orders: OrderHandle,
    events: EventBus,
    product: ProductId,
    seller: Caller,
    buyer: Caller,
}

mod late_payment;
mod passivation;
mod recovery;
mod roles;

const DEADLINE_MIN: i64 = 15;

async fn orders_on(
    store: &Arc<MemoryStore>,
    inventory: &InventoryHandle,
    events: &EventBus,
) -> OrderHandle {
    orders_capped(store, inventory, events, 10_000).await
}

/// Orders on `store` keeping at most `max_live` order actors in memory.
async fn orders_capped(
    store: &Arc<MemoryStore>,
    inventory: &InventoryHandle,
    events: &EventBus,
    max_live: usize,
) -> OrderHandle {
    let dyn_store: Arc<dyn Store> = store.clone();
    let passivation = Passivation {
        idle: Duration::from_secs(60),
        max_live,
    };
    OrderHandle::start(
        dyn_store,
        inventory.clone(),
        Arc::new(SandboxPayments),
        events.clone(),
        passivation,
        Duration::from_secs(5),
    )
    .await
    .expect("the order directory starts")
}

async fn world(units: u64) -> World {
    let store = Arc::new(MemoryStore::new());
    let product = ProductId::new();
    let level = StockLevel {
        on_hand: units,
        ..Default::default()
    };
    store
        .put_stock(product, &level)
        .await
        .expect("the stock is stored");
    let dyn_store: Arc<dyn Store> = store.clone();
    let (inventory, _) = InventorySupervisor::start(
        dyn_store,
        None,
        Default::default(),
        5,
        2,
        Duration::from_secs(5),
    )
    .await
    .expect("the inventory supervisor starts");
    let events = EventBus::default();
    let orders = orders_on(&store, &inventory, &events).await;
    let caller = |role| Caller {
        user_id: UserId::new(),
        role,
    };
    World {
        store,
        inventory,
        orders,
        events,
        product,
        seller: caller(Role::Seller),
        buyer: caller(Role::Customer),
    }
}

/// Reserves `units` and places an order for them, as checkout does.
/// Pays `id` with the test card that succeeds.
async fn pay(w: &World, id: OrderId) {
    w.orders
        .pay(id, w.buyer, TEST_CARD_OK.into())
        .await
        .expect("the order is paid");
}

async fn place(w: &World, units: u32) -> OrderId {
    let id = OrderId::new();
    let deadline = OffsetDateTime::now_utc() + time::Duration::minutes(DEADLINE_MIN);
    w.inventory
        .reserve(id, &[(w.product, units)], deadline)
        .await
        .expect("the units are reserved");
    let placed = w
        .orders
        .place(new_order(w, id, units, deadline))
        .await
        .expect("the order is placed");
    assert!(!placed.client_secret.is_empty());
    assert_eq!(placed.total.amount(), 2500 * i64::from(units));
    id
}

/// Order `id` of `units` kettles for the world's buyer.
fn new_order(w: &World, id: OrderId, units: u32, deadline: Timestamp) -> NewOrder {
    let line = OrderLine {
        product_id: w.product,
        seller_id: w.seller.user_id,
        title: Title::parse("Kettle").expect("a valid title"),
        unit_price: Money::new(2500, Currency::USD).expect("a valid price"),
        quantity: Quantity::new(i64::from(units)).expect("a valid quantity"),
        tax: None,
    };
    let address = AddressInput {
        name: "Ada".into(),
        line1: "1 Main St".into(),
        line2: None,
        city: "London".into(),
        region: None,
        postal_code: "N1".into(),
        country: "GB".into(),
        phone: None,
    };
    NewOrder {
        id,
        buyer: w.buyer.user_id,
        lines: vec![line],
        address,
        payment_deadline: deadline,
        charges: None,
        expiry_warning_at: None,
    }
}

async fn level(w: &World) -> StockLevel {
    w.inventory
        .level(w.product)
        .await
        .expect("the stock level reads")
}

async fn status(w: &World, id: OrderId) -> OrderStatus {
    w.orders
        .get(id, w.buyer)
        .await
        .map(|o| o.status())
        .expect("the buyer reads the order")
}

#[tokio::test]
async fn paying_commits_the_stock_and_a_decline_leaves_the_order_payable() {
    let w = world(5).await;
    let id = place(&w, 2).await;
    let declined = w.orders.pay(id, w.buyer, TEST_CARD_DECLINED.into()).await;
    assert_eq!(
        declined.err(),
        Some(OrderError::PaymentDeclined {
            reason: "card_declined".into()
        })
    );
    assert_eq!(status(&w, id).await, OrderStatus::PendingPayment);
    let paid = w
        .orders
        .pay(id, w.buyer, TEST_CARD_OK.into())
        .await
        .expect("the order is paid");
    assert_eq!(paid.status(), OrderStatus::Paid);
    let kinds: Vec<_> = paid
        .timeline
        .iter()
        .map(|e| {
            serde_json::to_value(&e.kind)
                .ok()
                .map(|v| v["type"].clone())
        })
        .collect();
    assert_eq!(
        kinds.len(),
        4,
        "placed, payment created, declined, succeeded: {kinds:?}"
    );
    // A duplicate confirmation is a no-op, not an error.
    let again = w
        .orders
        .pay(id, w.buyer, TEST_CARD_OK.into())
        .await
        .expect("a repeated payment is answered");
    assert_eq!(again.timeline.len(), 4);
    assert_eq!(
        level(&w).await,
        StockLevel {
            on_hand: 5,
            reserved: 0,
            sold: 2
        }
    );
}

#[tokio::test(start_paused = true)]
async fn unpaid_orders_expire_and_give_their_stock_back() {
    let w = world(5).await;
    let (sink, mut told, _) = Sink::new(64);
    w.events.subscribe(Topic::User(w.buyer.user_id), None, sink);
    let (unpaid, paid) = (place(&w, 2).await, place(&w, 1).await);
    pay(&w, paid).await;
    tokio::time::sleep(Duration::from_secs(60 * (DEADLINE_MIN as u64) + 5)).await;
    assert_eq!(status(&w, unpaid).await, OrderStatus::Expired);
    assert_eq!(status(&w, paid).await, OrderStatus::Paid);
    let mut warned = Vec::new();
    while let Ok(event) = told.try_recv() {
        if event.kind == "expiry_warning" {
            let data: serde_json::Value =
                serde_json::from_str(event.data.get()).expect("event data is JSON");
            warned.push(data["order_id"].clone());
        }
    }
    assert_eq!(
        warned,
        vec![serde_json::json!(unpaid)],
        "only the unpaid order's buyer is warned, once"
    );
    assert_eq!(
        level(&w).await,
        StockLevel {
            on_hand: 5,
            reserved: 0,
            sold: 1
        }
    );
    let late = w.orders.pay(unpaid, w.buyer, TEST_CARD_OK.into()).await;
    assert!(matches!(
        late,
        Err(OrderError::Transition {
            from: OrderStatus::Expired,
            ..
        })
    ));
}

#[tokio::test(start_paused = true)]
async fn deadlines_survive_a_restart() {
    let w = world(3).await;
    let id = place(&w, 3).await;
    w.orders.stop().await;
    // A new node on the same store: the deadline is re-armed from the store.
    let orders = orders_on(&w.store, &w.inventory, &w.events).await;
    tokio::time::sleep(Duration::from_secs(60 * (DEADLINE_MIN as u64) + 5)).await;
    let order = orders
        .get(id, w.buyer)
        .await
        .expect("the buyer reads the order");
    assert_eq!(order.status(), OrderStatus::Expired);
    assert_eq!(level(&w).await.available(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paying_and_cancelling_at_once_leave_a_consistent_order() {
    for _ in 0..10 {
        let w = world(4).await;
        let id = place(&w, 4).await;
        let (orders, buyer) = (w.orders.clone(), w.buyer);
        let pay = tokio::spawn(async move { orders.pay(id, buyer, TEST_CARD_OK.into()).await });
        let cancelled = w.orders.cancel(id, w.buyer).await;
        let paid = pay.await.expect("the payment task finishes");
        let final_status = status(&w, id).await;
        let stock = level(&w).await;
        assert!(
            cancelled.is_ok(),
            "cancel always wins or follows payment: {cancelled:?}"
        );
        assert_eq!(final_status, OrderStatus::Cancelled);
        // Whichever came first, the units are back and nothing is sold.
        assert_eq!(
            stock,
            StockLevel {
                on_hand: 4,
                reserved: 0,
                sold: 0
            },
            "paid first: {}",
            paid.is_ok()
        );
    }
}

#[tokio::test]
async fn a_paid_order_cancelled_before_shipping_is_refunded_and_restocked() {
    let w = world(3).await;
    let id = place(&w, 2).await;
    pay(&w, id).await;
    let cancelled = w
        .orders
        .cancel(id, w.buyer)
        .await
        .expect("the paid order is cancelled");
    assert_eq!(cancelled.status(), OrderStatus::Cancelled);
    assert_eq!(
        level(&w).await,
        StockLevel {
            on_hand: 3,
            reserved: 0,
            sold: 0
        }
    );
    let again = w
        .orders
        .cancel(id, w.buyer)
        .await
        .expect("a repeated cancel is answered");
    assert_eq!(
        again.timeline.len(),
        cancelled.timeline.len(),
        "cancelling twice is a no-op"
    );
    assert_eq!(level(&w).await.available(), 3, "and restocks once");
}

#[tokio::test]
async fn a_crashed_order_comes_back_from_its_timeline() {
    let w = world(3).await;
    let id = place(&w, 1).await;
    pay(&w, id).await;
    let actor = w
        .orders
        .directory_for_tests()
        .get(id)
        .await
        .expect("the order's actor");
    actor
        .send_message(OrderMsg::Crash)
        .expect("the crash reaches the order");
    let order = w
        .orders
        .get(id, w.buyer)
        .await
        .expect("the order comes back");
    assert_eq!(order.status(), OrderStatus::Paid);
    let unknown = w.orders.get(OrderId::new(), w.buyer).await;
    assert_eq!(unknown.err(), Some(OrderError::NotFound));
}

#[tokio::test]
async fn placing_an_order_again_gives_the_same_order() {
    use crate::store::OrderStore;
    let w = world(5).await;
    let id = place(&w, 2).await;
    let stored = w.store.get_order(id).await.unwrap().expect("stored");
    // A checkout processed twice (its dispatcher moved meanwhile) places it
    // again: the same order and payment, nothing added.
    let again = new_order(&w, id, 2, stored.payment_deadline);
    let placed = w.orders.place(again).await.expect("placed again");
    assert_eq!(placed.total, stored.total);
    let after = w.store.get_order(id).await.unwrap().expect("stored");
    assert_eq!(after.timeline, stored.timeline);
    assert_eq!(level(&w).await.reserved, 2);
}
