//! Cart rules, and the cart actor's lifecycle: persistence, passivation,
//! crash recovery, serialised concurrent changes.

use std::sync::Arc;
use std::time::Duration;

use souk_models::{Cart, ProductId, UserId};
use time::OffsetDateTime;

use super::host::HostMsg;
use super::ops::CartOp;
use super::{CartError, CartHandle, LineChange, apply};
use crate::store::{CartStore, MemoryStore};

fn empty() -> Cart {
    Cart {
        user_id: UserId::new(),
        lines: vec![],
        updated_at: OffsetDateTime::now_utc(),
    }
}

fn units(cart: &Cart, product: ProductId) -> u32 {
    cart.lines
        .iter()
        .find(|l| l.product_id == product)
        .map_or(0, |l| l.quantity.get())
}

#[test]
fn lines_merge_shrink_and_respect_stock_and_bounds() {
    let (a, b) = (ProductId::new(), ProductId::new());
    let mut cart = empty();
    assert_eq!(apply(&mut cart, a, LineChange::Add(2), 5), Ok(()));
    assert_eq!(apply(&mut cart, a, LineChange::Add(2), 5), Ok(()));
    assert_eq!(units(&cart, a), 4, "adding merges into one line");
    assert_eq!(
        apply(&mut cart, a, LineChange::Add(2), 5),
        Err(CartError::InsufficientStock {
            product: a,
            available: 5
        })
    );
    assert_eq!(
        apply(&mut cart, a, LineChange::Set(1), 0),
        Ok(()),
        "lowering is allowed even when sold out"
    );
    assert_eq!(
        apply(&mut cart, a, LineChange::Set(1000), 5000),
        Err(CartError::TooManyUnits { max: 999 })
    );
    assert_eq!(apply(&mut cart, a, LineChange::Set(0), 5), Ok(()));
    assert!(cart.lines.is_empty(), "zero removes the line");
    assert_eq!(
        apply(&mut cart, b, LineChange::Remove, 5),
        Err(CartError::NotInCart(b))
    );
    for _ in 0..Cart::MAX_LINES {
        assert_eq!(
            apply(&mut cart, ProductId::new(), LineChange::Add(1), 1),
            Ok(())
        );
    }
    assert_eq!(
        apply(&mut cart, b, LineChange::Add(1), 1),
        Err(CartError::TooManyLines {
            max: Cart::MAX_LINES
        })
    );
}

async fn carts(store: &Arc<MemoryStore>) -> CartHandle {
    CartHandle::start(
        store.clone(),
        4,
        Duration::from_secs(60),
        Duration::from_secs(5),
    )
    .await
    .expect("the cart hosts start")
}

#[tokio::test(start_paused = true)]
async fn an_idle_cart_passivates_and_comes_back_from_the_store() {
    let store = Arc::new(MemoryStore::new());
    let handle = carts(&store).await;
    let (user, product) = (UserId::new(), ProductId::new());
    handle
        .change(user, product, LineChange::Add(3), 10)
        .await
        .expect("the line goes in the cart");
    assert_eq!(handle.live(), 1);
    let stored = store
        .get_cart(user)
        .await
        .expect("the cart reads")
        .map(|c| units(&c, product));
    assert_eq!(stored, Some(3), "written through before answering");
    tokio::time::sleep(Duration::from_secs(61)).await;
    tokio::task::yield_now().await;
    assert_eq!(handle.live(), 0, "passivated after the idle time");
    let cart = handle.get(user).await.expect("the cart comes back");
    assert_eq!(units(&cart, product), 3);
    assert_eq!(handle.live(), 1, "activated again on demand");
}

/// A cart holding two units of one product.
async fn cart_with_two_units() -> (CartHandle, UserId, ProductId) {
    let store = Arc::new(MemoryStore::new());
    let handle = carts(&store).await;
    let (user, product) = (UserId::new(), ProductId::new());
    handle
        .change(user, product, LineChange::Add(2), 10)
        .await
        .expect("the line goes in the cart");
    (handle, user, product)
}

async fn add_one(handle: &CartHandle, user: UserId, product: ProductId) -> Cart {
    handle
        .change(user, product, LineChange::Add(1), 10)
        .await
        .expect("the line goes in the cart")
}

#[tokio::test]
async fn a_crashed_cart_comes_back_with_its_lines() {
    let (handle, user, product) = cart_with_two_units().await;
    let crashed = handle.call(user, CartOp::Crash).await;
    assert!(
        matches!(crashed, Err(CartError::Unavailable(_))),
        "the failed message gets an error, not a hang: {crashed:?}"
    );
    assert_eq!(handle.live(), 0, "the crashed cart's state was dropped");
    let cart = add_one(&handle, user, product).await;
    assert_eq!(
        units(&cart, product),
        3,
        "the next request sees the state from before the crash"
    );
    assert_eq!(handle.live(), 1, "reloaded from the store");
}

#[tokio::test]
async fn a_crashed_host_restarts_and_its_carts_reload() {
    let (handle, user, product) = cart_with_two_units().await;
    let host = handle
        .hosts
        .get(handle.host_of(user))
        .expect("the user's cart host");
    host.send_message(HostMsg::Crash)
        .expect("the crash reaches the host");
    let cart = add_one(&handle, user, product).await;
    assert_eq!(units(&cart, product), 3, "state reloaded after the restart");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_changes_to_one_cart_are_not_lost() {
    let store = Arc::new(MemoryStore::new());
    let handle = carts(&store).await;
    let (user, product) = (UserId::new(), ProductId::new());
    let adds: Vec<_> = (0..50)
        .map(|_| {
            let handle = handle.clone();
            tokio::spawn(async move { handle.change(user, product, LineChange::Add(1), 100).await })
        })
        .collect();
    for add in adds {
        add.await
            .expect("the add task finishes")
            .expect("the line goes in the cart");
    }
    let cart = handle.get(user).await.expect("the cart reads");
    assert_eq!(units(&cart, product), 50);
    let cleared = handle.clear(user).await.expect("the cart clears");
    assert!(cleared.lines.is_empty());
    assert_eq!(store.get_cart(user).await.expect("the cart reads"), None);
}

#[tokio::test]
async fn an_ordered_cart_empties_without_a_second_write_unless_it_changed() {
    let store = Arc::new(MemoryStore::new());
    let handle = carts(&store).await;
    let (user, product) = (UserId::new(), ProductId::new());
    let stored = |store: &Arc<MemoryStore>| {
        let store = store.clone();
        async move { store.get_cart(user).await.expect("the cart reads") }
    };
    let read = add_one(&handle, user, product).await;

    // Unchanged since the order read it: the order's write empties the stored
    // cart, so the cart only forgets its lines.
    assert!(handle.ordered(user, read.updated_at).await);
    let now = handle.get(user).await.expect("the cart reads");
    assert!(now.lines.is_empty(), "the buyer sees an empty cart at once");
    let kept = stored(&store).await.map(|c| units(&c, product));
    assert_eq!(kept, Some(1), "no second write");

    // A line added after the order read the cart: it is saved empty, as a
    // clear would.
    let read = add_one(&handle, user, product).await;
    add_one(&handle, user, product).await;
    assert!(handle.ordered(user, read.updated_at).await);
    let now = handle.get(user).await.expect("the cart reads");
    assert!(now.lines.is_empty());
    assert_eq!(stored(&store).await, None, "saved empty");
}
