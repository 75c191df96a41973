//! Cases for orders and checkout tickets.

use std::collections::HashSet;
use std::sync::Arc;

use souk_models::{Cart, CartLine, Currency, Money, OrderId, ProductId, Quantity, Title, UserId};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::store::{Store, StoreError};
use souk_models::{Order, OrderLine, OrderStatus, Ticket, TicketStatus, TimelineKind};

use super::fixtures::*;

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
            tax: None,
        })
        .collect();
    let mut order = Order {
        id: OrderId::new(),
        buyer_id: buyer,
        lines,
        total: ok(Money::new(1000 * sellers.len() as i64, Currency::USD)),
        charges: None,
        shipping_address: address(buyer, "1 Main St").fields,
        payment_deadline: now + Duration::minutes(15),
        created_at: now,
        client_secret: Some("pi_1_secret_1".into()),
        timeline: vec![],
    };
    let placed = order.entry(OrderStatus::PendingPayment, TimelineKind::Placed, now);
    order.timeline.push(placed);
    order
}

pub async fn order_timelines_append_in_order(store: Arc<dyn Store>) {
    let mut o = order(UserId::new(), &[UserId::new()]);
    ok(store.create_order(&o, &[]).await);
    assert!(matches!(
        store.create_order(&o, &[]).await,
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
    ok(store.append_order_entry(o.id, &created, &[]).await);
    assert!(
        matches!(
            store.append_order_entry(o.id, &created, &[]).await,
            Err(StoreError::Conflict(_))
        ),
        "no second entry 2"
    );
    o.timeline.push(created);
    let mut gap = o.entry(
        OrderStatus::Paid,
        TimelineKind::PaymentSucceeded { event: None },
        now,
    );
    gap.seq += 1;
    assert!(
        matches!(
            store.append_order_entry(o.id, &gap, &[]).await,
            Err(StoreError::Conflict(_))
        ),
        "no gaps"
    );
    let paid = o.entry(
        OrderStatus::Paid,
        TimelineKind::PaymentSucceeded { event: None },
        now,
    );
    ok(store.append_order_entry(o.id, &paid, &[]).await);
    o.timeline.push(paid);
    assert_eq!(ok(store.get_order(o.id).await), Some(o.clone()));
    assert_eq!(
        ok(store.list_unpaid_orders().await),
        vec![],
        "paid orders have no deadline"
    );
    let ghost = order(UserId::new(), &[]);
    assert_eq!(
        store
            .append_order_entry(ghost.id, &ghost.timeline[0], &[])
            .await,
        Err(StoreError::NotFound)
    );
}

pub async fn concurrent_appends_have_one_winner(store: Arc<dyn Store>) {
    let o = order(UserId::new(), &[UserId::new()]);
    ok(store.create_order(&o, &[]).await);
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let (store, o) = (store.clone(), o.clone());
            tokio::spawn(async move {
                let kind = TimelineKind::PaymentDeclined {
                    reason: format!("attempt {i}"),
                    event: None,
                };
                let entry = o.entry(OrderStatus::PendingPayment, kind, OffsetDateTime::now_utc());
                store.append_order_entry(o.id, &entry, &[]).await
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

pub async fn orders_are_listed_newest_first_per_buyer_seller_and_all(store: Arc<dyn Store>) {
    let (buyer, other_buyer) = (UserId::new(), UserId::new());
    let (s1, s2) = (UserId::new(), UserId::new());
    let mut mine = Vec::new();
    for i in 0..5 {
        let sellers = if i % 2 == 0 { vec![s1, s2] } else { vec![s1] };
        let o = order(buyer, &sellers);
        ok(store.create_order(&o, &[]).await);
        mine.push(o.id);
    }
    ok(store.create_order(&order(other_buyer, &[s2]), &[]).await);
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
    // Every order, page by page, newest first.
    let (mut all, mut before) = (Vec::new(), None);
    loop {
        let page = ok(store.list_orders(before, 4).await);
        before = page.last().map(|o| o.id);
        all.extend(page.iter().map(|o| (o.id, o.buyer_id)));
        if page.len() < 4 {
            break;
        }
    }
    assert!(all.windows(2).all(|w| w[0].0 > w[1].0), "newest first");
    let buyers: Vec<UserId> = all
        .iter()
        .map(|(_, b)| *b)
        .filter(|b| [buyer, other_buyer].contains(b))
        .collect();
    assert_eq!(buyers.len(), 6, "all six orders, once each");
    assert_eq!(buyers[0], other_buyer, "the newest first");
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

pub async fn placing_an_order_completes_its_ticket(store: Arc<dyn Store>) {
    let ada = UserId::new();
    let (placed, waiting) = (ticket(ada, "placed"), ticket(ada, "waiting"));
    ok(store.create_ticket(&placed).await);
    ok(store.create_ticket(&waiting).await);
    let first = Order {
        id: placed.order_id(),
        ..order(ada, &[UserId::new()])
    };
    ok(store.create_order(&first, &[]).await);
    let completed = TicketStatus::Completed { order_id: first.id };
    assert_eq!(
        ok(store.get_ticket(placed.id).await).map(|t| t.status),
        Some(completed),
        "the order's write completed its ticket"
    );
    let queued: Vec<Uuid> = ok(store.list_queued_tickets().await)
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(
        queued,
        vec![waiting.id],
        "only the other ticket still waits"
    );
    // An order without a ticket is stored as before.
    ok(store.create_order(&order(ada, &[UserId::new()]), &[]).await);
    assert_eq!(ok(store.list_queued_tickets().await).len(), 1);
}

pub async fn placing_an_order_empties_its_buyers_cart(store: Arc<dyn Store>) {
    let (ada, bob) = (UserId::new(), UserId::new());
    for user in [ada, bob] {
        let cart = Cart {
            user_id: user,
            lines: vec![CartLine {
                product_id: ProductId::new(),
                quantity: ok(Quantity::new(2)),
            }],
            updated_at: OffsetDateTime::now_utc(),
        };
        ok(store.put_cart(&cart).await);
    }
    ok(store.create_order(&order(ada, &[UserId::new()]), &[]).await);
    assert_eq!(
        ok(store.get_cart(ada).await),
        None,
        "the buyer's cart is empty"
    );
    assert!(
        ok(store.get_cart(bob).await).is_some(),
        "another shopper's cart is untouched"
    );
}
