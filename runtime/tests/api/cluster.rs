//! Nodes in a cluster: over a fresh PostgreSQL database and a `redis-server`
//! of the test's own, they see each other in `GET /admin/cluster`, accept
//! each other's tokens, and a node that stops cleanly leaves the list at
//! once. Unusable cluster settings stop start-up naming their key.

use std::sync::Arc;

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_see_each_other_and_a_node_that_stops_leaves() {
    let Some(database) = TestDatabase::create().await else {
        return;
    };
    let Some(redis) = TestRedis::start().await else {
        return;
    };
    let url = redis.url();
    let a = spawn_with(&node_settings(database.url(), &url, "node-a"), None).await;
    let b = spawn_with(
        &node_settings(database.url(), &url, "node-b"),
        Some(Arc::new(TempDir::new().unwrap())),
    )
    .await;

    // One login serves on both nodes: they share the store and the key.
    let admin = a.admin().await;
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

    b.stop().await;
    assert_eq!(node_ids(&a, &admin.token).await, ["node-a"]);

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
