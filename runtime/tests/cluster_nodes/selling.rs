//! What the failure tests do to a sale and check after it: buyers that
//! check out and pay through the nodes, what was acknowledged, and the
//! stock adding up on every node.

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::http::{buyer, shop};
use crate::nodes::Cluster;

/// Time to pay, short so that deadlines fire within the tests.
pub const WINDOW_SECS: u64 = 8;

/// What one buyer got acknowledged: the order, and whether it was paid.
pub struct Acknowledged {
    pub buyer: usize,
    pub order: String,
    pub paid: bool,
}

/// Every buyer checks out through node `n % nodes.len()` of `through`, and
/// every other one pays; returns the tasks.
pub fn buy_and_pay(
    cluster: &Cluster,
    buyers: &[String],
    through: &[usize],
) -> Vec<tokio::task::JoinHandle<Option<Acknowledged>>> {
    buyers
        .iter()
        .enumerate()
        .map(|(n, token)| {
            let http = cluster.http.clone();
            let base = cluster.base(through[n % through.len()]).to_owned();
            let token = token.clone();
            tokio::spawn(async move {
                let (status, order) = http.checkout(&base, &token).await.ok()?;
                if status != StatusCode::CREATED {
                    if status != StatusCode::CONFLICT {
                        println!("checkout {n} through {base}: {status} {order}");
                    }
                    return None;
                }
                let order = order["id"].as_str()?.to_owned();
                let paid = n % 2 == 0 && {
                    let url = format!("{base}/api/v1/orders/{order}/pay");
                    let pay = Some(json!({ "card_token": "tok_visa" }));
                    let answer = http.try_call(Method::POST, url, Some(&token), pay).await;
                    matches!(answer, Ok((StatusCode::OK, _)))
                };
                Some(Acknowledged {
                    buyer: n,
                    order,
                    paid,
                })
            })
        })
        .collect()
}

/// The buyers' orders as a node lists them (one unit each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub orders: u64,
    /// Awaiting payment or paid: their units are off the shelf.
    pub holding: u64,
    pub paid: u64,
}

pub async fn tally(cluster: &Cluster, node: usize, buyers: &[String]) -> Tally {
    let mut tally = Tally {
        orders: 0,
        holding: 0,
        paid: 0,
    };
    for token in buyers {
        let (_, list) = cluster
            .http
            .get(cluster.base(node), "/api/v1/orders", Some(token))
            .await;
        for order in list["items"].as_array().cloned().unwrap_or_default() {
            let status = order["status"].as_str().unwrap_or_default();
            tally.orders += 1;
            tally.holding += u64::from(matches!(status, "pending_payment" | "paid"));
            tally.paid += u64::from(status == "paid");
        }
    }
    tally
}

/// Waits (up to `within`) until node `node` shows exactly the units no
/// order holds available, and `done` holds; returns the tally then.
pub async fn stock_settles(
    cluster: &Cluster,
    node: usize,
    buyers: &[String],
    product: &str,
    stock: u64,
    within: Duration,
    done: impl Fn(&Tally) -> bool,
) -> Tally {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let tally = tally(cluster, node, buyers).await;
        let available = cluster.http.available(cluster.base(node), product).await;
        assert!(
            tally.holding <= stock,
            "oversold: {tally:?} for {stock} units"
        );
        if available + tally.holding == stock && done(&tally) {
            return tally;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{available} of {stock} available with {tally:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Every acknowledged order is there through node `node`, paid if its
/// payment was acknowledged.
pub async fn all_there(cluster: &Cluster, node: usize, buyers: &[String], acked: &[Acknowledged]) {
    for ack in acked {
        let (status, order) = cluster
            .http
            .order(cluster.base(node), &buyers[ack.buyer], &ack.order)
            .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "acknowledged order {} is missing: {order}",
            ack.order
        );
        if ack.paid {
            assert_eq!(
                order["status"], "paid",
                "the payment of {} was lost",
                ack.order
            );
        }
    }
}

/// Units on sale in the tests that break something mid-sale, fewer than
/// the buyers.
pub const SALE_STOCK: u64 = 18;

/// A settled three-node cluster with 24 buyers, each with one unit of the
/// product in the cart (registered through the nodes in turn): the admin's
/// token, the product and the buyers.
pub async fn sale(cluster: &Cluster) -> (String, String, Vec<String>) {
    let (admin, _, product) = shop(cluster, SALE_STOCK).await;
    cluster.settled(0, &admin, &[0, 1, 2]).await;
    let mut buyers = Vec::new();
    for n in 0..24 {
        buyers.push(buyer(cluster, n % 3, n, &product, 1).await);
    }
    (admin, product, buyers)
}

/// What the buyers' tasks got acknowledged.
pub async fn acknowledged(
    tasks: Vec<tokio::task::JoinHandle<Option<Acknowledged>>>,
) -> Vec<Acknowledged> {
    let mut acked = Vec::new();
    for task in tasks {
        if let Some(ack) = task.await.expect("the buyer task ends") {
            acked.push(ack);
        }
    }
    acked
}

/// After a sale broken mid-way: once the tickets left waiting are
/// processed, every unit held is on an order (at least one per acknowledged
/// checkout), and once the deadlines pass, only the paid ones hold units.
pub async fn stock_adds_up(
    cluster: &Cluster,
    buyers: &[String],
    product: &str,
    acked: &[Acknowledged],
) {
    let settle = Duration::from_secs(20);
    let orders = stock_settles(cluster, 0, buyers, product, SALE_STOCK, settle, |_| true)
        .await
        .orders;
    assert!(
        orders >= acked.len() as u64,
        "{orders} orders for {} acknowledged",
        acked.len()
    );
    let expire = Duration::from_secs(WINDOW_SECS + 20);
    let unpaid_gone = |t: &Tally| t.holding == t.paid;
    stock_settles(cluster, 1, buyers, product, SALE_STOCK, expire, unpaid_gone).await;
}

/// Another product of `seller`'s on `product`'s inventory shard, listed
/// through node `via`.
pub async fn same_shard(cluster: &Cluster, via: usize, seller: &str, product: &str) -> String {
    let shard = |id: &str| uuid::Uuid::parse_str(id).expect("a uuid").as_u128() % 16;
    for n in 0..200 {
        let listing = json!({
            "title": format!("Mug {n}"), "description": "Holds tea.", "category": "kitchen",
            "price": { "amount": 900, "currency": "USD" }, "stock": 0,
        });
        let (status, listed) = cluster
            .http
            .post(cluster.base(via), "/api/v1/products", Some(seller), listing)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{listed}");
        let id = listed["id"].as_str().expect("an id").to_owned();
        if shard(&id) == shard(product) {
            return id;
        }
    }
    panic!("no product landed on the shard");
}

/// The node that holds `product`'s inventory shard, by index.
pub fn shard_holder(cluster: &Cluster, owners: &BTreeMap<String, String>, product: &str) -> usize {
    let shard = uuid::Uuid::parse_str(product).expect("a uuid").as_u128() % 16;
    let holder = &owners[&format!("inventory/{shard}")];
    cluster
        .nodes
        .iter()
        .position(|n| &n.id == holder)
        .expect("a node")
}
