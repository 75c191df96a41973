//! Lane actors: a lane that fails mid-operation comes back holding the same
//! tickets in the same order, and the queue goes on.

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
            let order = shop.store.get_order(OrderId(*ticket)).await.ok().flatten();
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
