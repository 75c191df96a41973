//! Sales records: a paid order's units return to stock once, whether the
//! shard restarted since or the payment's write is still in flight.

use std::sync::Arc;

use souk_models::OrderId;

use super::super::Settlement;
use super::{later, level, on_two_shards, start, stock, stocked};
use crate::store::{InventoryStore, MemoryStore, Sale};

#[tokio::test]
async fn sold_units_return_once_even_across_a_restart() {
    let store = Arc::new(MemoryStore::new());
    let (a, b) = on_two_shards(&store, 5, 5).await;
    let (refunded, delivered) = (OrderId::new(), OrderId::new());
    {
        let (handle, supervisor) = start(&store).await;
        for order in [refunded, delivered] {
            handle
                .reserve(order, &[(a, 2), (b, 1)], later(15))
                .await
                .expect("the order is reserved");
            handle
                .settle(order, &[a, b], Settlement::Commit)
                .await
                .expect("the order is paid");
        }
        supervisor
            .stop_and_wait(None, None)
            .await
            .expect("the supervisor stops");
    }
    let (handle, _sup) = start(&store).await;
    let both = [a, b];
    let sold = |order| handle.is_sold(order, &both);
    assert_eq!(sold(refunded).await, Ok(true), "sales survive the restart");
    let (first, second) = tokio::join!(
        handle.settle(refunded, &both, Settlement::Restock),
        handle.settle(refunded, &both, Settlement::Restock),
    );
    first.expect("the refund restocks");
    second.expect("a repeated restock is answered");
    assert_eq!(sold(refunded).await, Ok(false));
    handle
        .settle(delivered, &[a, b], Settlement::Forget)
        .await
        .expect("the delivered order is forgotten");
    assert_eq!(sold(delivered).await, Ok(false));
    handle
        .settle(delivered, &[a, b], Settlement::Restock)
        .await
        .expect("a restock after forgetting is answered");
    let expect = |sold| stock(5, 0, sold);
    assert_eq!(
        level(&handle, a).await,
        expect(2),
        "only the refund returned"
    );
    assert_eq!(level(&handle, b).await, expect(1));
    assert!(ok_sales(&store, refunded).await.is_empty());
    assert!(ok_sales(&store, delivered).await.is_empty());
}

#[tokio::test]
async fn a_restock_queued_behind_the_payment_returns_its_units() {
    let store = Arc::new(MemoryStore::new());
    let (handle, _sup) = start(&store).await;
    let product = stocked(&store, 3).await;
    let order = OrderId::new();
    handle
        .reserve(order, &[(product, 2)], later(15))
        .await
        .expect("the order is reserved");
    // Both reach the shard before the payment's write is durable.
    let products = [product];
    let (paid, restocked) = tokio::join!(
        handle.settle(order, &products, Settlement::Commit),
        handle.settle(order, &products, Settlement::Restock),
    );
    paid.expect("the order is paid");
    restocked.expect("the order is restocked");
    assert_eq!(level(&handle, product).await.available(), 3);
    assert!(ok_sales(&store, order).await.is_empty());
    super::assert_invariant(&store, product, 3).await;
}

async fn ok_sales(store: &MemoryStore, order: OrderId) -> Vec<Sale> {
    store.order_sales(order).await.expect("the sales read")
}
