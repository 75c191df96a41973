//! Inventory shards over the in-memory store: no overselling under contention,
//! all-or-nothing across shards, idempotent settling, durable expiry, crashes.

use std::sync::Arc;
use std::time::Duration;

use souk_models::{OrderId, ProductId, StockCount, StockLevel};
use time::OffsetDateTime;

use super::actor::InventoryMsg;
use super::{InventoryError, InventoryHandle, InventorySupervisor, Settlement, shard_of};
use crate::store::{CatalogStore, InventoryStore, MemoryStore, Store};

mod sales;

const SHARDS: usize = 4;

async fn start(store: &Arc<MemoryStore>) -> (InventoryHandle, ractor::ActorCell) {
    let store: Arc<dyn Store> = store.clone();
    InventorySupervisor::start(
        store,
        None,
        Default::default(),
        5,
        SHARDS,
        Duration::from_secs(5),
    )
    .await
    .expect("the inventory supervisor starts")
}

async fn stocked(store: &MemoryStore, units: u64) -> ProductId {
    let id = ProductId::new();
    let level = StockLevel {
        on_hand: units,
        ..Default::default()
    };
    store
        .put_stock(id, &level)
        .await
        .expect("the stock is stored");
    id
}

/// Two products that live on different shards.
async fn on_two_shards(store: &MemoryStore, a_units: u64, b_units: u64) -> (ProductId, ProductId) {
    let a = stocked(store, a_units).await;
    loop {
        let b = stocked(store, b_units).await;
        if shard_of(b, SHARDS) != shard_of(a, SHARDS) {
            return (a, b);
        }
    }
}

fn later(minutes: i64) -> time::OffsetDateTime {
    OffsetDateTime::now_utc() + time::Duration::minutes(minutes)
}

/// A stock level: units on hand, reserved and sold.
fn stock(on_hand: u64, reserved: u64, sold: u64) -> StockLevel {
    StockLevel {
        on_hand,
        reserved,
        sold,
    }
}

async fn level(handle: &InventoryHandle, product: ProductId) -> StockLevel {
    handle.level(product).await.expect("the stock level reads")
}

/// `n` buyers, each reserving one unit of `product` at once, on their own tasks.
fn one_unit_buyers(
    handle: &InventoryHandle,
    product: ProductId,
    n: usize,
) -> Vec<tokio::task::JoinHandle<Result<(), InventoryError>>> {
    (0..n)
        .map(|_| {
            let handle = handle.clone();
            tokio::spawn(async move {
                handle
                    .reserve(OrderId::new(), &[(product, 1)], later(15))
                    .await
            })
        })
        .collect()
}

/// The invariant from the store's point of view: levels add up and every
/// reserved unit is a stored hold.
async fn assert_invariant(store: &MemoryStore, product: ProductId, on_hand: u64) {
    let level = store
        .get_stock(product)
        .await
        .expect("the stock level reads")
        .expect("a stock level for the product");
    let held: u64 = store
        .list_holds()
        .await
        .expect("the holds list")
        .iter()
        .filter(|h| h.product == product)
        .map(|h| u64::from(h.quantity))
        .sum();
    assert_eq!(level.on_hand, on_hand);
    assert_eq!(
        level.on_hand,
        level.available() + level.reserved + level.sold
    );
    assert_eq!(level.reserved, held);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_buyers_share_fifty_units_exactly() {
    let store = Arc::new(MemoryStore::new());
    let (handle, _sup) = start(&store).await;
    let product = stocked(&store, 50).await;
    let buyers = one_unit_buyers(&handle, product, 500);
    let mut won = 0;
    for buyer in buyers {
        match buyer.await.expect("the buyer task finishes") {
            Ok(()) => won += 1,
            Err(InventoryError::OutOfStock { .. }) => {}
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(won, 50);
    assert_eq!(level(&handle, product).await, stock(50, 50, 0));
    assert_invariant(&store, product, 50).await;
}

#[tokio::test]
async fn a_refusal_in_one_shard_releases_the_others() {
    let store = Arc::new(MemoryStore::new());
    let (handle, _sup) = start(&store).await;
    let (plenty, scarce) = on_two_shards(&store, 10, 1).await;
    let order = OrderId::new();
    let refused = handle
        .reserve(order, &[(plenty, 3), (scarce, 2)], later(15))
        .await;
    assert_eq!(
        refused,
        Err(InventoryError::OutOfStock {
            product: scarce,
            available: 1
        })
    );
    assert_eq!(
        level(&handle, plenty).await.available(),
        10,
        "nothing stays held"
    );
    assert!(store.list_holds().await.expect("the holds list").is_empty());
    handle
        .reserve(order, &[(plenty, 3), (scarce, 1)], later(15))
        .await
        .expect("the order is reserved");
    assert_invariant(&store, plenty, 10).await;
    assert_invariant(&store, scarce, 1).await;
}

#[tokio::test]
async fn reserve_release_and_commit_are_idempotent() {
    let store = Arc::new(MemoryStore::new());
    let (handle, _sup) = start(&store).await;
    let (a, b) = on_two_shards(&store, 5, 5).await;
    let (paid, abandoned) = (OrderId::new(), OrderId::new());
    for _ in 0..2 {
        handle
            .reserve(paid, &[(a, 2), (b, 1)], later(15))
            .await
            .expect("the paid order is reserved");
        handle
            .reserve(abandoned, &[(a, 1)], later(15))
            .await
            .expect("the abandoned order is reserved");
    }
    assert_eq!(
        level(&handle, a).await.reserved,
        3,
        "a repeated reservation takes nothing more"
    );
    for _ in 0..2 {
        handle
            .settle(paid, &[a, b], Settlement::Commit)
            .await
            .expect("the paid order is committed");
        handle
            .settle(abandoned, &[a], Settlement::Release)
            .await
            .expect("the abandoned order is released");
    }
    // Releasing a committed order does not return sold units.
    handle
        .settle(paid, &[a, b], Settlement::Release)
        .await
        .expect("a repeated release is answered");
    assert_eq!(level(&handle, a).await, stock(5, 0, 2));
    assert_eq!(level(&handle, b).await, stock(5, 0, 1));
    assert_invariant(&store, a, 5).await;
}

#[tokio::test(start_paused = true)]
async fn unpaid_holds_expire_and_paid_ones_do_not() {
    let store = Arc::new(MemoryStore::new());
    let (handle, _sup) = start(&store).await;
    let product = stocked(&store, 4).await;
    let (unpaid, paid) = (OrderId::new(), OrderId::new());
    handle
        .reserve(unpaid, &[(product, 1)], later(15))
        .await
        .expect("the unpaid order is reserved");
    handle
        .reserve(paid, &[(product, 2)], later(15))
        .await
        .expect("the paid order is reserved");
    handle
        .settle(paid, &[product], Settlement::Commit)
        .await
        .expect("the paid order is committed");
    // Its order releases it at the deadline; the shard waits ten minutes
    // more, in case the payment is reported then.
    tokio::time::sleep(Duration::from_secs(24 * 60)).await;
    assert_eq!(level(&handle, product).await.reserved, 1, "not yet");
    tokio::time::sleep(Duration::from_secs(2 * 60)).await;
    assert_eq!(level(&handle, product).await, stock(4, 0, 2));
    assert_invariant(&store, product, 4).await;
}

#[tokio::test(start_paused = true)]
async fn expiry_is_rearmed_after_a_restart() {
    let store = Arc::new(MemoryStore::new());
    let product = stocked(&store, 3).await;
    {
        let (handle, supervisor) = start(&store).await;
        handle
            .reserve(OrderId::new(), &[(product, 3)], later(15))
            .await
            .expect("the order is reserved");
        supervisor
            .stop_and_wait(None, None)
            .await
            .expect("the supervisor stops");
    }
    let (handle, _sup) = start(&store).await;
    assert_eq!(
        level(&handle, product).await.reserved,
        3,
        "holds survive the restart"
    );
    tokio::time::sleep(Duration::from_secs(26 * 60)).await;
    assert_eq!(
        level(&handle, product).await.available(),
        3,
        "and still expire"
    );
}

#[tokio::test]
async fn a_crashed_shard_restarts_with_its_state() {
    let store = Arc::new(MemoryStore::new());
    let (handle, _sup) = start(&store).await;
    let product = stocked(&store, 10).await;
    handle
        .reserve(OrderId::new(), &[(product, 4)], later(15))
        .await
        .expect("the order is reserved");
    let shard = shard_of(product, SHARDS);
    let actor = handle.shards.get(shard).expect("the product's shard");
    actor
        .send_message(InventoryMsg::Crash)
        .expect("the crash reaches the shard");
    // The next request reaches the restarted shard, which reloaded its state.
    assert_eq!(level(&handle, product).await, stock(10, 4, 0));
    handle
        .reserve(OrderId::new(), &[(product, 6)], later(15))
        .await
        .expect("the rest of the stock is reserved");
    let more = handle
        .reserve(OrderId::new(), &[(product, 1)], later(15))
        .await;
    assert!(matches!(more, Err(InventoryError::OutOfStock { .. })));
    assert_invariant(&store, product, 10).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_write_fails_its_callers_and_the_shard_reloads_the_store() {
    let store = Arc::new(MemoryStore::new());
    let (handle, _sup) = start(&store).await;
    let product = stocked(&store, 10).await;
    handle
        .reserve(OrderId::new(), &[(product, 4)], later(15))
        .await
        .expect("the order is reserved");
    store.fail_inventory_writes(1);
    let buyers = one_unit_buyers(&handle, product, 6);
    let mut reserved = 0;
    let mut failed = 0;
    for buyer in buyers {
        match buyer.await.expect("the buyer task finishes") {
            Ok(()) => reserved += 1,
            Err(InventoryError::OutOfStock { .. }) => panic!("refused with 6 units free"),
            Err(_) => failed += 1,
        }
    }
    assert!(failed >= 1, "the injected failure reached no caller");
    // Only what was stored counts: the shard holds no unit for a failed caller.
    let expected = StockLevel {
        on_hand: 10,
        reserved: 4 + reserved,
        sold: 0,
    };
    assert_eq!(level(&handle, product).await, expected);
    assert_invariant(&store, product, 10).await;
    let left = 10 - expected.reserved;
    handle
        .reserve(OrderId::new(), &[(product, left as u32)], later(15))
        .await
        .expect("what is left is reserved");
    assert_invariant(&store, product, 10).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restocking_races_checkouts_without_overselling() {
    let store = Arc::new(MemoryStore::new());
    let (handle, _sup) = start(&store).await;
    let product = stocked(&store, 0).await;
    let seller = {
        let handle = handle.clone();
        tokio::spawn(async move {
            for available in [5, 0, 3, 0, 2] {
                let units = StockCount::new(available).expect("a valid stock count");
                handle
                    .set_available(product, units)
                    .await
                    .expect("the stock is set");
                tokio::task::yield_now().await;
            }
        })
    };
    let buyers = one_unit_buyers(&handle, product, 200);
    let mut won = 0u64;
    for buyer in buyers {
        won += u64::from(buyer.await.expect("the buyer task finishes").is_ok());
    }
    seller.await.expect("the seller task finishes");
    let final_level = level(&handle, product).await;
    assert_eq!(final_level.reserved, won);
    assert_eq!(
        final_level.on_hand,
        final_level.available() + final_level.reserved + final_level.sold
    );
}
