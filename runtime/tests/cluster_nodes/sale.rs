//! Traffic spread over three nodes: a flash sale sells exactly the stock,
//! and the login limit counts attempts on every node.

use reqwest::StatusCode;

use crate::http::{buyer, shop};
use crate::nodes::{ADMIN, Cluster, PASSWORD};

/// Units on sale, fewer than the buyers.
const STOCK: u64 = 20;
const BUYERS: usize = 30;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flash_sale_over_three_nodes_sells_exactly_the_stock() {
    let Some(cluster) = Cluster::start(3, &[("SOUK__CHECKOUT__WAIT_MS", "20000")]).await else {
        return;
    };
    let (admin, _, product) = shop(&cluster, STOCK).await;
    cluster.settled(0, &admin, &[0, 1, 2]).await;
    // Each buyer fills the cart through one node and checks out through
    // the next: every checkout crosses nodes for its cart, its ticket, its
    // stock and its order.
    let mut buyers = Vec::new();
    for n in 0..BUYERS {
        buyers.push(buyer(&cluster, n % 3, n, &product, 1).await);
    }
    let checkouts: Vec<_> = buyers
        .iter()
        .enumerate()
        .map(|(n, token)| {
            let (http, base, token) = (
                cluster.http.clone(),
                cluster.base((n + 1) % 3).to_owned(),
                token.clone(),
            );
            tokio::spawn(async move {
                http.checkout(&base, &token)
                    .await
                    .expect("the node answers")
            })
        })
        .collect();
    let mut orders = Vec::new();
    for (n, checkout) in checkouts.into_iter().enumerate() {
        let (status, body) = checkout.await.expect("the checkout task ends");
        match status {
            StatusCode::CREATED => orders.push((n, body["id"].as_str().expect("an id").to_owned())),
            StatusCode::CONFLICT => assert_eq!(body["code"], "out_of_stock", "{body}"),
            other => panic!("checkout {n} answered {other}: {body}"),
        }
    }
    assert_eq!(orders.len() as u64, STOCK, "exactly the stock is sold");
    // Every order is there through every node, and no node shows a unit
    // left: the one shard counted them all.
    for (n, id) in &orders {
        for node in 0..3 {
            let (status, order) = cluster
                .http
                .order(cluster.base(node), &buyers[*n], id)
                .await;
            assert_eq!(status, StatusCode::OK, "{order}");
            assert_eq!(order["status"], "pending_payment");
        }
    }
    for node in 0..3 {
        assert_eq!(
            cluster.http.available(cluster.base(node), &product).await,
            0
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_limit_holds_over_three_nodes() {
    let limits = [
        ("SOUK__RATE_LIMIT__ENABLED", "true"),
        ("SOUK__RATE_LIMIT__AUTH__BURST", "6"),
        ("SOUK__RATE_LIMIT__AUTH__PER_SECOND", "0.01"),
    ];
    let Some(cluster) = Cluster::start(3, &limits).await else {
        return;
    };
    // Six wrong passwords, two through each node: each node alone would
    // have allowed all six and more.
    for attempt in 0..6 {
        let (status, _) = cluster
            .http
            .login(cluster.base(attempt % 3), ADMIN, "not-the-password")
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    for node in 0..3 {
        let (status, body) = cluster
            .http
            .login(cluster.base(node), ADMIN, PASSWORD)
            .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
        assert_eq!(body["code"], "rate_limited");
    }
}
