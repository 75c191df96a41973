//! Nodes in a cluster: over a fresh PostgreSQL database and a `redis-server`
//! of the test's own, they see each other in `GET /admin/cluster`, accept
//! each other's tokens, share the inventory shards between them (each on
//! exactly one node, by lease, reached from either), show each other's
//! listings and stock levels, and a node that stops cleanly leaves the list and hands
//! its shards over at once. Unusable cluster settings stop
//! start-up naming their key. `work` has the carts, orders and checkout
//! across nodes, `live` the live events, `limits` the rate limits.

mod limits;
mod live;
mod work;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use souk_cluster::testing::TestRedis;
use souk_store_postgres::testing::TestDatabase;
use tempfile::TempDir;

use crate::helpers::{TestApp, build_error, json, spawn_with};

const SECRET: &str = "a-cluster-secret-for-tests-32-bytes!!";

fn node_settings<'a>(store: &'a str, redis: &'a str, id: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("SOUK__STORE__URL", store),
        ("SOUK__CLUSTER__ENABLED", "true"),
        ("SOUK__CLUSTER__REDIS_URL", redis),
        ("SOUK__CLUSTER__SECRET", SECRET),
        ("SOUK__CLUSTER__NODE_ID", id),
        ("SOUK__CLUSTER__LEASE_MS", "1500"),
        ("SOUK__AUTH__JWT_SECRET", SECRET),
    ]
}

/// A PostgreSQL database and a Redis of this test's own, or `None` (after
/// `skipped: …`) where either cannot be had.
async fn services() -> Option<(TestDatabase, TestRedis)> {
    let database = TestDatabase::create().await?;
    let redis = TestRedis::start().await?;
    Some((database, redis))
}

/// Starts node `id` over `database` and `redis`; the first node creates the
/// admin account, the others start on a data dir of their own.
async fn node(database: &TestDatabase, redis: &TestRedis, id: &str, first: bool) -> TestApp {
    node_with(database, redis, id, first, &[]).await
}

/// As [`node`], with more settings.
async fn node_with(
    database: &TestDatabase,
    redis: &TestRedis,
    id: &str,
    first: bool,
    more: &[(&str, &str)],
) -> TestApp {
    let url = redis.url();
    let mut settings = node_settings(database.url(), &url, id);
    settings.extend_from_slice(more);
    let dir = (!first).then(|| Arc::new(TempDir::new().unwrap()));
    spawn_with(&settings, dir).await
}

async fn node_ids(app: &TestApp, token: &str) -> Vec<String> {
    let response = app.get("/api/v1/admin/cluster", Some(token)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = json(response).await;
    assert_eq!(body["enabled"], true);
    assert_eq!(body["coordinating"], true);
    body["nodes"]
        .as_array()
        .expect("a node list")
        .iter()
        .map(|n| n["id"].as_str().expect("an id").to_owned())
        .collect()
}

/// Lease names placed across the cluster: 16 inventory shards, 32 cart
/// hosts, 32 order partitions and the checkout dispatcher.
const NAMES: usize = 16 + 32 + 32 + 1;

/// Which node owns each placed name, once every one is owned by exactly
/// one node and `settled` holds; fails after 20 s.
async fn placed_when(
    app: &TestApp,
    token: &str,
    settled: impl Fn(&BTreeMap<String, String>) -> bool,
) -> BTreeMap<String, String> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let report = json(app.get("/api/v1/admin/cluster", Some(token)).await).await;
        let mut owners = BTreeMap::new();
        let mut twice = false;
        for node in report["nodes"].as_array().expect("nodes") {
            for name in node["owns"].as_array().expect("owns") {
                let name = name.as_str().expect("a lease name").to_owned();
                twice |= owners
                    .insert(name, node["id"].as_str().expect("an id").to_owned())
                    .is_some();
            }
        }
        assert!(!twice, "a name owned by two nodes: {report}");
        if owners.len() == NAMES && settled(&owners) {
            return owners;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "work not placed as expected: {report}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits (up to 2 s) until `node` lists `product` with `units` available.
async fn available_becomes(node: &TestApp, product: &str, units: u64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    loop {
        let shown = json(node.get(&format!("/api/v1/products/{product}"), None).await).await;
        if shown["stock"]["available"] == units {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} still shows {}",
            node.base,
            shown["stock"]
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn owned_by(owners: &BTreeMap<String, String>, node: &str) -> usize {
    owners.values().filter(|n| *n == node).count()
}

/// The placement once it stops changing, with `node-b` holding a share.
async fn settled(app: &TestApp, token: &str) -> BTreeMap<String, String> {
    let mut shared = placed_when(app, token, |o| owned_by(o, "node-b") > 0).await;
    loop {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let now = placed_when(app, token, |_| true).await;
        if now == shared {
            return shared;
        }
        shared = now;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_see_each_other_and_a_node_that_stops_leaves() {
    let Some((database, redis)) = services().await else {
        return;
    };
    let a = node(&database, &redis, "node-a", true).await;
    // Alone, node-a holds every inventory shard and sells through them,
    // every stock write fenced by its lease's epoch.
    let admin = a.admin().await;
    placed_when(&a, &admin.token, |o| owned_by(o, "node-a") == NAMES).await;
    let (_, product) = a.shop("seller@example.com", 5).await;
    let buyer = a.register("buyer@example.com", "customer").await;
    let order = a.place_order(&buyer, &product, 2).await;
    assert_eq!(order["status"], "pending_payment", "{order}");

    let b = node(&database, &redis, "node-b", false).await;

    // One login serves on both nodes: they share the store and the key.
    assert_eq!(node_ids(&a, &admin.token).await, ["node-a", "node-b"]);
    assert_eq!(node_ids(&b, &admin.token).await, ["node-a", "node-b"]);
    let report = json(a.get("/api/v1/admin/cluster", Some(&admin.token)).await).await;
    let node_b = &report["nodes"][1];
    assert_eq!(
        node_b["advertise"]
            .as_str()
            .map(|s| s.starts_with("127.0.0.1:")),
        Some(true)
    );
    assert!(node_b["load"]["carts_live"].is_u64(), "{node_b}");
    assert_eq!(report["node_id"], "node-a");

    let ready: Value = json(a.get("/health/ready", None).await).await;
    assert_eq!(ready["cluster"], "ok");

    // node-a hands node-b its share, a few names at a time, until it settles.
    let shared = settled(&a, &admin.token).await;
    assert!(owned_by(&shared, "node-a") > 0, "{shared:?}");

    // Through node-b, stock is set and sold on whichever node holds each
    // product's shard: calls for node-a's shards are forwarded to it, and
    // the one shard per product keeps the count exact.
    let seller = b
        .login("seller@example.com", crate::helpers::PASSWORD)
        .await;
    let seller = crate::helpers::session(json(seller).await);
    // Products until two live on shards that node-a holds.
    let on_node_a = |id: &str| {
        let shard = uuid::Uuid::parse_str(id).expect("a uuid").as_u128() % 16;
        shared[&format!("inventory/{shard}")] == "node-a"
    };
    let mut products: Vec<String> = Vec::new();
    for i in 0..64 {
        let body = crate::helpers::product_body(&format!("Mug {i}"), "kitchen", 900, 3);
        let product = b.product(&seller, body).await;
        products.push(product["id"].as_str().expect("a product id").to_owned());
        if products.iter().filter(|p| on_node_a(p)).count() >= 2 && products.len() >= 4 {
            break;
        }
    }
    assert!(products.iter().filter(|p| on_node_a(p)).count() >= 2);
    let first = b.register("first@example.com", "customer").await;
    let second = b.register("second@example.com", "customer").await;
    for product in &products {
        let order = b.place_order(&first, product, 2).await;
        assert_eq!(order["status"], "pending_payment", "{order}");
        // Both nodes' catalogs list the product (created through node-b)
        // with the one unit left, whichever node's shard decided it: the
        // listing and the level travel through Redis.
        for node in [&a, &b] {
            available_becomes(node, product, 1).await;
        }
        // Refused as soon as it is added to the cart: node-b's catalog knows.
        let refused = b.try_place_order(&second, product, 2).await;
        assert_eq!(refused.status(), StatusCode::CONFLICT);
        assert_eq!(json(refused).await["code"], "insufficient_stock");
        b.delete(
            &format!("/api/v1/cart/items/{product}"),
            Some(&second.token),
        )
        .await;
    }

    // A category an admin puts through node-a is offered on node-b.
    a.category("garden").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    loop {
        let body = crate::helpers::product_body("Trowel", "garden", 1500, 4);
        let listed = b.post("/api/v1/products", Some(&seller.token), body).await;
        if listed.status() == StatusCode::CREATED {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{}",
            json(listed).await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // node-b stops cleanly: it gives its shards back and node-a takes them.
    b.stop().await;
    assert_eq!(node_ids(&a, &admin.token).await, ["node-a"]);
    placed_when(&a, &admin.token, |o| owned_by(o, "node-a") == NAMES).await;

    // The node-to-node route takes only calls signed with the cluster secret.
    let call = serde_json::json!({ "call": "level", "product": product });
    let unsigned = a.post("/internal/v1/inventory/0", None, call.clone()).await;
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(json(unsigned).await["code"], "node_signature");
    let forged = a
        .client
        .post(a.url("/internal/v1/inventory/0"))
        .header("x-souk-node-time", "1")
        .header("x-souk-node-signature", "00")
        .json(&call)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);

    // Customers are refused the view.
    let customer = a.register("shopper@example.com", "customer").await;
    let response = a.get("/api/v1/admin/cluster", Some(&customer.token)).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    a.stop().await;
}

#[tokio::test]
async fn a_single_node_reports_no_cluster() {
    let app = spawn_with(&[], None).await;
    let admin = app.admin().await;
    let body = json(app.get("/api/v1/admin/cluster", Some(&admin.token)).await).await;
    assert_eq!(body["enabled"], false);
    assert_eq!(body["nodes"], serde_json::json!([]));
    let ready: Value = json(app.get("/health/ready", None).await).await;
    assert!(ready.get("cluster").is_none(), "{ready}");
    // No node-to-node route without a cluster.
    let internal = app
        .post("/internal/v1/inventory/0", None, serde_json::json!({}))
        .await;
    assert_eq!(internal.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_cluster_on_the_embedded_store_is_refused() {
    let mut settings = node_settings("embedded", "redis://127.0.0.1:6379/0", "node-a");
    settings.retain(|(k, _)| *k != "SOUK__STORE__URL");
    let err = build_error(&settings).await;
    assert!(
        err.contains("cluster.enabled") && err.contains("shared store"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_redis_stops_start_up_naming_the_key() {
    let Some(database) = TestDatabase::create().await else {
        return;
    };
    // Nothing listens on port 9 of loopback (discard).
    let err = build_error(&node_settings(
        database.url(),
        "redis://127.0.0.1:9/0",
        "node-a",
    ))
    .await;
    assert!(err.contains("cluster.redis_url"), "{err}");
    assert!(err.contains("127.0.0.1:9"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revocations_and_disabled_accounts_hold_on_every_node() {
    let Some((database, redis)) = services().await else {
        return;
    };
    let a = node(&database, &redis, "node-a", true).await;
    let b = node(&database, &redis, "node-b", false).await;

    // A refresh token rotated on node-a and replayed on node-b is theft:
    // node-b sees the reuse and the whole family dies on both.
    let first = a.register("r@example.com", "customer").await;
    let second = refresh(&a, &first.refresh).await;
    assert_eq!(second.status(), StatusCode::OK);
    let second = crate::helpers::session(json(second).await);
    let replayed = refresh(&b, &first.refresh).await;
    assert_eq!(replayed.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(json(replayed).await["code"], "refresh_token_reused");
    let revoked = refresh(&a, &second.refresh).await;
    assert_eq!(revoked.status(), StatusCode::UNAUTHORIZED);

    // An account an admin disables through node-a is refused by node-b,
    // which had just served it, within its one-second account cache.
    let user = b.register("d@example.com", "customer").await;
    let me = b.get("/api/v1/auth/me", Some(&user.token)).await;
    assert_eq!(me.status(), StatusCode::OK);
    let admin = a.admin().await;
    let path = format!("/api/v1/admin/users/{}", user.id);
    let disabled = a
        .patch(
            &path,
            Some(&admin.token),
            serde_json::json!({ "disabled": true }),
        )
        .await;
    assert_eq!(disabled.status(), StatusCode::OK);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    loop {
        let me = b.get("/api/v1/auth/me", Some(&user.token)).await;
        if me.status() == StatusCode::UNAUTHORIZED {
            assert_eq!(json(me).await["code"], "account_disabled");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "node-b still serves a disabled account"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    b.stop().await;
    a.stop().await;
}

async fn refresh(node: &TestApp, token: &str) -> reqwest::Response {
    node.post(
        "/api/v1/auth/refresh",
        None,
        serde_json::json!({ "refresh_token": token }),
    )
    .await
}
