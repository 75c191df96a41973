//! Lanes: a full lane refuses, waiting tickets survive a restart of the node,
//! and a lane actor that fails comes back holding the same tickets in the same
//! order.

use super::*;
use souk_models::Caller;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_lane_restarts_with_its_tickets_in_order() {
    let (shop, ids) = shop(&[100], config(1, 100, Duration::ZERO)).await;
    shop.checkout.hold(true);
    let users: Vec<User> = (0..4).map(|_| shopper(Tier::Standard)).collect();
    let mut tickets = Vec::new();
    for user in &users {
        fill(&shop, user, &[(ids[0], 1)]).await;
        match shop.checkout.submit(user, "k", address()).await {
            Ok(CheckoutOutcome::Pending { ticket, .. }) => tickets.push(ticket),
            other => panic!("{other:?}"),
        }
    }
    let failed = shop.checkout.break_lane("standard");
    assert!(failed.is_some());
    // Places in line come from the restarted lane, unchanged.
    let mut places = Vec::new();
    for _ in 0..200 {
        places.clear();
        for (user, ticket) in users.iter().zip(&tickets) {
            let caller = Caller {
                user_id: user.id,
                role: Role::Customer,
            };
            let status = shop.checkout.status(*ticket, caller).await;
            places.push(status.ok().and_then(|(_, p)| p).map(|(_, p)| p));
        }
        if places == [Some(1), Some(2), Some(3), Some(4)] {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(places, [Some(1), Some(2), Some(3), Some(4)]);
    assert_ne!(
        shop.checkout.lane_actor("standard"),
        failed,
        "a new lane actor answers"
    );
    // A new ticket joins behind them.
    let late = shopper(Tier::Standard);
    fill(&shop, &late, &[(ids[0], 1)]).await;
    let pending = shop.checkout.submit(&late, "k", address()).await;
    assert!(
        matches!(
            pending,
            Ok(CheckoutOutcome::Pending {
                position: Some(5),
                ..
            })
        ),
        "{pending:?}"
    );
    shop.checkout.hold(false);
    let mut placed = Vec::new();
    for _ in 0..500 {
        placed.clear();
        for ticket in &tickets {
            let order = shop
                .store
                .get_order(OrderId(*ticket))
                .await
                .expect("the order reads");
            placed.extend(order.map(|o| (o.created_at, *ticket)));
        }
        if placed.len() == tickets.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    placed.sort();
    let order: Vec<_> = placed.iter().map(|(_, t)| *t).collect();
    assert_eq!(order, tickets, "processed once each, in arrival order");
    assert_invariant(&shop, ids[0], 100).await;
}

#[tokio::test]
async fn lane_depths_count_waiting_tickets() {
    let (shop, ids) = shop(&[10], config(1, 10, Duration::ZERO)).await;
    shop.checkout.hold(true);
    for tier in [Tier::Standard, Tier::Premium, Tier::Standard] {
        let user = shopper(tier);
        fill(&shop, &user, &[(ids[0], 1)]).await;
        let _ = shop.checkout.submit(&user, "k", address()).await;
    }
    let depths = shop.checkout.lane_depths().await;
    assert_eq!(
        depths,
        [("priority".to_owned(), 1), ("standard".to_owned(), 2)]
    );
}

#[tokio::test]
async fn a_full_lane_refuses_and_waiting_tickets_survive_a_restart() {
    let (shop, ids) = shop(&[10], config(1, 2, Duration::ZERO)).await;
    shop.checkout.hold(true);
    let users: Vec<User> = (0..3).map(|_| shopper(Tier::Standard)).collect();
    for user in &users {
        fill(&shop, user, &[(ids[0], 1)]).await;
    }
    assert!(matches!(
        shop.checkout.submit(&users[0], "k", address()).await,
        Ok(CheckoutOutcome::Pending { .. })
    ));
    assert!(matches!(
        shop.checkout.submit(&users[1], "k", address()).await,
        Ok(CheckoutOutcome::Pending { .. })
    ));
    let full = shop.checkout.submit(&users[2], "k", address()).await;
    assert!(
        matches!(full, Err(CheckoutError::LaneFull { .. })),
        "{full:?}"
    );
    // A new node on the same store picks up what was waiting.
    let restarted = restart(&shop).await;
    let again = restarted.submit(&users[0], "k", address()).await;
    assert!(
        matches!(again, Ok(CheckoutOutcome::Completed { .. })),
        "{again:?}"
    );
    let caller = souk_models::Caller {
        user_id: users[1].id,
        role: Role::Customer,
    };
    let mut status = None;
    for _ in 0..100 {
        let (ticket, _) = restarted
            .status(OrderId::new().0, caller)
            .await
            .map_or((None, None), |(t, p)| (Some(t), p));
        let _ = ticket;
        status = shop
            .store
            .get_order(OrderId(shop_ticket(&shop, &users[1]).await))
            .await
            .expect("the order reads")
            .map(|o| o.status());
        if status.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(status, Some(OrderStatus::PendingPayment));
    let stranger = souk_models::Caller {
        user_id: UserId::new(),
        role: Role::Customer,
    };
    let ticket = shop_ticket(&shop, &users[1]).await;
    assert_eq!(
        restarted.status(ticket, stranger).await.err(),
        Some(CheckoutError::NotFound)
    );
}

/// A new checkout queue on the shop's store, as a restarted node starts one.
async fn restart(shop: &Shop) -> CheckoutHandle {
    let dyn_store: Arc<dyn Store> = shop.store.clone();
    CheckoutHandle::start(CheckoutParts {
        config: config(4, 10, Duration::from_secs(10)),
        store: dyn_store,
        catalog: shop.catalog.clone(),
        carts: shop.carts.clone(),
        inventory: shop.inventory.clone(),
        orders: shop.orders.clone(),
        events: shop.events.clone(),
    })
    .await
    .expect("the checkout restarts")
}

async fn shop_ticket(shop: &Shop, user: &User) -> uuid::Uuid {
    use crate::store::TicketStore;
    shop.store
        .find_ticket(user.id, "k")
        .await
        .expect("the ticket reads")
        .expect("the user's ticket is stored")
        .id
}

/// An older version could place a ticket's order and stop before the ticket
/// was marked done. After a restart that ticket completes with that order:
/// no second order, and its stock stays reserved once.
#[tokio::test]
async fn a_requeued_ticket_whose_order_exists_completes_with_it() {
    use crate::store::TicketStore;
    let (shop, ids) = shop(&[10], config(1, 10, Duration::ZERO)).await;
    shop.checkout.hold(true);
    let user = shopper(Tier::Standard);
    fill(&shop, &user, &[(ids[0], 1)]).await;
    assert!(matches!(
        shop.checkout.submit(&user, "k", address()).await,
        Ok(CheckoutOutcome::Pending { .. })
    ));
    let ticket = shop_ticket(&shop, &user).await;
    let order_id = OrderId(ticket);
    let deadline = OffsetDateTime::now_utc() + Duration::from_secs(900);
    shop.inventory
        .reserve(order_id, &[(ids[0], 1)], deadline)
        .await
        .expect("the units are reserved");
    let product = shop.catalog.get_any(ids[0]).expect("the seeded product");
    let line = souk_models::OrderLine {
        product_id: ids[0],
        seller_id: product.product.seller_id,
        title: product.product.title.clone(),
        unit_price: product.product.price,
        quantity: souk_models::Quantity::new(1).expect("a valid quantity"),
        tax: None,
    };
    shop.orders
        .place(crate::order::NewOrder {
            id: order_id,
            buyer: user.id,
            lines: vec![line],
            address: address(),
            payment_deadline: deadline,
            charges: None,
            expiry_warning_at: None,
        })
        .await
        .expect("the order is placed");
    // As the older version left it: the order placed, the ticket still queued.
    shop.store
        .finish_ticket(ticket, &souk_models::TicketStatus::Queued)
        .await
        .expect("the ticket is put back in the queue");

    let restarted = restart(&shop).await;
    let again = restarted.submit(&user, "k", address()).await;
    assert!(
        matches!(again, Ok(CheckoutOutcome::Completed { order_id: o, .. }) if o == order_id),
        "{again:?}"
    );
    let orders = shop
        .store
        .list_buyer_orders(user.id, None, 10)
        .await
        .expect("the buyer's orders list");
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].status(), OrderStatus::PendingPayment);
    let level = shop
        .inventory
        .level(ids[0])
        .await
        .expect("the stock level reads");
    assert_eq!(level.reserved, 1);
    assert_invariant(&shop, ids[0], 10).await;
}
