//! Nodes that die, pause and lose Redis under load: nothing acknowledged is
//! lost, no unit is sold twice or lost, the dead node's work serves from
//! the others within seconds, and a paused node's late writes are refused
//! by their epoch.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::http::{buyer, shop};
use crate::nodes::{Cluster, LEASE_MS};
use crate::selling::{
    Acknowledged, Tally, WINDOW_SECS, acknowledged, all_there, buy_and_pay, sale, same_shard,
    shard_holder, stock_adds_up, stock_settles,
};

fn settings() -> [(&'static str, &'static str); 2] {
    [
        ("SOUK__CHECKOUT__PAYMENT_WINDOW_SECS", "8"),
        ("SOUK__CHECKOUT__WAIT_MS", "10000"),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_killed_mid_sale_loses_nothing_and_its_work_moves() {
    let Some(mut cluster) = Cluster::start(3, &settings()).await else {
        return;
    };
    let (_, product, buyers) = sale(&cluster).await;
    let tasks = buy_and_pay(&cluster, &buyers, &[0, 1, 2]);
    tokio::time::sleep(Duration::from_millis(150)).await;
    cluster.kill(2).await;
    let killed = tokio::time::Instant::now();
    let acked = acknowledged(tasks).await;
    assert!(!acked.is_empty(), "some checkouts were acknowledged");

    // Within 5 s of the kill, every cart and every acknowledged order
    // answers through the surviving nodes, whichever node held it.
    let deadline = killed + Duration::from_secs(5);
    for (n, token) in buyers.iter().enumerate() {
        loop {
            let (status, _) = cluster
                .http
                .get(cluster.base(n % 2), "/api/v1/cart", Some(token))
                .await;
            if status == StatusCode::OK {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "buyer {n}'s cart did not move in time"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    for ack in &acked {
        loop {
            let (status, _) = cluster
                .http
                .order(cluster.base(0), &buyers[ack.buyer], &ack.order)
                .await;
            if status == StatusCode::OK {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "order {} did not move in time",
                ack.order
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let moved = killed.elapsed();
    all_there(&cluster, 1, &buyers, &acked).await;
    println!(
        "the killed node's work answered elsewhere {} ms after the kill",
        moved.as_millis()
    );

    // Once the tickets the dead node held are processed again, every unit
    // held is on an order; once the deadlines pass, only paid ones are.
    stock_adds_up(&cluster, &buyers, &product, &acked).await;
    for ack in &acked {
        let (_, order) = cluster
            .http
            .order(cluster.base(0), &buyers[ack.buyer], &ack.order)
            .await;
        let status = order["status"].as_str().unwrap_or_default();
        assert!(
            matches!(status, "paid" | "expired"),
            "order {} is {status} after its deadline",
            ack.order
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_node_past_its_lease_cannot_write() {
    const STOCK: u64 = 10;
    let Some(cluster) = Cluster::start(3, &settings()).await else {
        return;
    };
    let (admin, seller, product) = shop(&cluster, STOCK).await;
    let owners = cluster.settled(0, &admin, &[0, 1, 2]).await;
    let paused = shard_holder(&cluster, &owners, &product);
    let other = (paused + 1) % 3;
    let neighbour = same_shard(&cluster, other, &seller, &product).await;
    let mut buyers = Vec::new();
    for n in 0..16 {
        buyers.push(buyer(&cluster, other, n, &product, 1).await);
    }
    // Checkouts reach the shard's node, which stops in the middle of them.
    let stalled = buy_and_pay(&cluster, &buyers[..4], &[paused]);
    tokio::time::sleep(Duration::from_millis(30)).await;
    cluster.signal(paused, "STOP");
    let stopped = tokio::time::Instant::now();

    // Its lease runs out; another node takes the shard and sells the rest.
    // (Generous: on two shared cores the nodes' rounds can run late.)
    let deadline = stopped + Duration::from_millis(LEASE_MS * 12);
    loop {
        let owners = cluster.owners(other, &admin).await;
        if owners.len() == crate::nodes::NAMES
            && shard_holder(&cluster, &owners, &product) != paused
        {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the shard did not move: {owners:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // (On two busy cores the rest of the paused node's work may still be
    // moving: a checkout answered 503 changed nothing and is sent again.)
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let sold: Vec<Acknowledged> =
            futures::future::join_all(buy_and_pay(&cluster, &buyers[4..], &[other]))
                .await
                .into_iter()
                .filter_map(|r| r.expect("the buyer task ends"))
                .collect();
        if !sold.is_empty() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the shard's new node sells"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    // While it is paused the seller restocks another product of the same
    // shard through it (so the sale's own count stays as it is). It wakes
    // up believing it still holds the shard: if its shard writes before its
    // next placement round stops it, the write carries the old epoch and is
    // refused (503, nothing changed); otherwise the call goes to the
    // shard's new node. Its stalled checkouts end either way.
    let http = cluster.http.clone();
    let url = format!("{}/api/v1/products/{neighbour}/stock", cluster.base(paused));
    let restock = tokio::spawn(async move {
        let three = Some(json!({ "available": 3 }));
        http.try_call(Method::PUT, url, Some(&seller), three).await
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    cluster.signal(paused, "CONT");
    let (status, body) = restock.await.expect("the task ends").expect("answered");
    let refused = cluster.nodes[paused].logged("a write under an outdated lease was refused");
    match status {
        StatusCode::SERVICE_UNAVAILABLE => assert!(refused, "503 without a fenced write: {body}"),
        StatusCode::OK => assert_eq!(body["available"], 3, "{body}"),
        other => panic!("the restock answered {other}: {body}"),
    }
    println!("the paused node's late write was refused by its epoch: {refused}");
    for task in stalled {
        let _ = task.await;
    }

    // Nothing is oversold: the units on orders and those available add up
    // to the stock on every node, and the deadlines give the unpaid back.
    let settle = Duration::from_secs(20);
    for node in 0..3 {
        stock_settles(&cluster, node, &buyers, &product, STOCK, settle, |_| true).await;
    }
    let expire = Duration::from_secs(WINDOW_SECS + 20);
    let unpaid_gone = |t: &Tally| t.holding == t.paid;
    stock_settles(
        &cluster,
        other,
        &buyers,
        &product,
        STOCK,
        expire,
        unpaid_gone,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_restart_mid_sale_heals_by_itself_and_loses_nothing() {
    let Some(mut cluster) = Cluster::start(3, &settings()).await else {
        return;
    };
    let (admin, product, buyers) = sale(&cluster).await;
    let tasks = buy_and_pay(&cluster, &buyers, &[0, 1, 2]);
    tokio::time::sleep(Duration::from_millis(100)).await;
    cluster.redis.restart().await;
    let acked = acknowledged(tasks).await;
    // Without anyone stepping in, every node coordinates again and all the
    // work is placed again.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let mut ready = 0;
        for node in 0..3 {
            let (_, health) = cluster
                .http
                .get(cluster.base(node), "/health/ready", None)
                .await;
            ready += usize::from(health["cluster"] == "ok");
        }
        if ready == 3 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the cluster did not recover"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    cluster.settled(1, &admin, &[0, 1, 2]).await;
    all_there(&cluster, 2, &buyers, &acked).await;
    stock_adds_up(&cluster, &buyers, &product, &acked).await;
}
