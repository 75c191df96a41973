//! Cases for writers racing each other and for paging while rows change.

use std::collections::HashSet;
use std::sync::Arc;

use souk_models::{Order, OrderId, Role, UserId};

use crate::store::{Store, StoreError};

use super::fixtures::*;
use super::orders::order;

pub async fn one_order_per_checkout_ticket(store: Arc<dyn Store>) {
    let buyer = UserId::new();
    let placed = order(buyer, &[UserId::new()]);
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (store, attempt) = (store.clone(), placed.clone());
            tokio::spawn(async move { store.create_order(&attempt, &[]).await })
        })
        .collect();
    let mut placed_count = 0;
    for task in tasks {
        match ok(task.await) {
            Ok(()) => placed_count += 1,
            Err(StoreError::Conflict(_)) => {}
            Err(e) => panic!("unexpected error: {e:?}"),
        }
    }
    assert_eq!(placed_count, 1, "exactly one writer places the order");
    let listed = ok(store.list_buyer_orders(buyer, None, 10).await);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].timeline.len(), 1, "the timeline was written once");
}

pub async fn pages_hold_while_orders_are_added(store: Arc<dyn Store>) {
    let buyer = UserId::new();
    let mut before_paging: Vec<OrderId> = Vec::new();
    for _ in 0..10 {
        let o = order(buyer, &[UserId::new()]);
        ok(store.create_order(&o, &[]).await);
        before_paging.push(o.id);
    }
    before_paging.reverse();
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page: Vec<Order> = ok(store.list_buyer_orders(buyer, cursor, 3).await);
        // A newer order arrives between every two pages.
        ok(store
            .create_order(&order(buyer, &[UserId::new()]), &[])
            .await);
        let Some(last) = page.last() else { break };
        cursor = Some(last.id);
        seen.extend(page.iter().map(|o| o.id));
    }
    assert_eq!(
        seen, before_paging,
        "every order that existed when paging began, once each, newest first"
    );
}

pub async fn pages_hold_while_accounts_are_added(store: Arc<dyn Store>) {
    let mut existing = Vec::new();
    for i in 0..9 {
        let u = user(&format!("early{i}@example.com"), Role::Customer);
        ok(store.create_user(&u).await);
        existing.push(u.id);
    }
    let mut seen = Vec::new();
    let mut cursor = None;
    let mut added = 0;
    loop {
        let page = ok(store.list_users(None, cursor, 4).await);
        let Some(last) = page.last() else { break };
        cursor = Some(last.id);
        seen.extend(page.iter().map(|u| u.id));
        if added < 3 {
            let u = user(&format!("late{added}@example.com"), Role::Customer);
            ok(store.create_user(&u).await);
            added += 1;
        }
    }
    let unique: HashSet<UserId> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "no account is listed twice");
    assert_eq!(
        &seen[..existing.len()],
        existing.as_slice(),
        "accounts come in creation order"
    );
    assert_eq!(
        seen.len(),
        existing.len() + 3,
        "accounts added while paging come at the end"
    );
}
