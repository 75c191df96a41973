//! Flash sales: many buyers at once against limited stock never oversell.

use super::*;

/// Runs `buyers` concurrent checkouts; returns (completed order ids, rejections).
async fn flash_sale(
    shop: &Arc<Shop>,
    buyers: Vec<(User, Vec<(ProductId, u32)>)>,
) -> (Vec<OrderId>, Vec<String>) {
    for (user, lines) in &buyers {
        fill(shop, user, lines).await;
    }
    let tasks: Vec<_> = buyers
        .into_iter()
        .map(|(user, _)| {
            let shop = shop.clone();
            tokio::spawn(async move { shop.checkout.submit(&user, "buy-now", address()).await })
        })
        .collect();
    let (mut orders, mut rejected) = (Vec::new(), Vec::new());
    for task in tasks {
        match task.await.expect("the buyer task finishes") {
            Ok(CheckoutOutcome::Completed { order_id, .. }) => orders.push(order_id),
            Ok(CheckoutOutcome::Rejected { reason, .. }) => rejected.push(reason),
            other => panic!("unexpected {other:?}"),
        }
    }
    (orders, rejected)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flash_sale_of_fifty_units_makes_exactly_fifty_orders() {
    let (shop, ids) = shop(&[50], config(16, 1000, Duration::from_secs(60))).await;
    let shop = Arc::new(shop);
    let buyers = (0..500)
        .map(|_| (shopper(Tier::Standard), vec![(ids[0], 1)]))
        .collect();
    let (orders, rejected) = flash_sale(&shop, buyers).await;
    assert_eq!(orders.len(), 50);
    assert_eq!(rejected.len(), 450);
    assert!(rejected.iter().all(|r| r == "out_of_stock"), "{rejected:?}");
    let level = shop
        .inventory
        .level(ids[0])
        .await
        .expect("the stock level reads");
    assert_eq!((level.available(), level.reserved), (0, 50));
    assert_invariant(&shop, ids[0], 50).await;
    for id in &orders {
        let order = shop.store.get_order(*id).await.expect("the order reads");
        assert_eq!(order.map(|o| o.status()), Some(OrderStatus::PendingPayment));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_line_carts_across_shards_never_oversell() {
    let (shop, ids) = shop(&[20, 30, 10], config(16, 1000, Duration::from_secs(60))).await;
    let shop = Arc::new(shop);
    let buyers = (0..200)
        .map(|i| {
            let lines = match i % 3 {
                0 => vec![(ids[0], 1), (ids[1], 2)],
                1 => vec![(ids[1], 1), (ids[2], 1)],
                _ => vec![(ids[0], 2), (ids[2], 1), (ids[1], 1)],
            };
            (shopper(Tier::Standard), lines)
        })
        .collect();
    let (orders, _) = flash_sale(&shop, buyers).await;
    assert!(!orders.is_empty());
    for (product, units) in ids.iter().zip([20, 30, 10]) {
        assert_invariant(&shop, *product, units).await;
        let level = shop
            .inventory
            .level(*product)
            .await
            .expect("the stock level reads");
        let ordered: u64 = {
            let mut sum = 0;
            for id in &orders {
                let order = shop.store.get_order(*id).await.expect("the order reads");
                let order = order.expect("a completed checkout's order is stored");
                sum += order
                    .lines
                    .iter()
                    .filter(|l| l.product_id == *product)
                    .map(|l| u64::from(l.quantity.get()))
                    .sum::<u64>();
            }
            sum
        };
        assert_eq!(
            level.reserved, ordered,
            "every reserved unit belongs to an order"
        );
    }
}
