//! Nodes on PostgreSQL: an unreachable database stops start-up naming
//! `store.url`; `souk store copy` moves a marketplace from the embedded store
//! to a fresh database, a node on that database serves it as before, an
//! interrupted copy resumes, and a destination holding another copy is
//! refused.

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::json;
use souk_runtime::store_copy::copy;
use souk_store_postgres::testing::TestDatabase;
use tempfile::TempDir;

use crate::helpers::{PASSWORD, build_error, json, spawn_with, test_config};

#[tokio::test]
async fn an_unreachable_database_stops_start_up_naming_the_key() {
    // Nothing listens on port 9 of loopback (discard), so the connection is refused.
    let err = build_error(&[("SOUK__STORE__URL", "postgres://souk@127.0.0.1:9/shop")]).await;
    assert!(err.contains("store.url"), "{err}");
    assert!(err.contains("127.0.0.1:9"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_marketplace_moves_to_postgres_and_is_served_from_there() {
    let Some(database) = TestDatabase::create().await else {
        return;
    };
    // A marketplace on the embedded store: a product, a paid order and an
    // unpaid one.
    let app = spawn_with(&[], None).await;
    let (_, product) = app.shop("seller@example.com", 10).await;
    let buyer = app.register("buyer@example.com", "customer").await;
    let paid = app.place_order(&buyer, &product, 2).await;
    let paid_id = paid["id"].as_str().expect("an order id").to_owned();
    app.order_action(&buyer, &paid_id, "pay", json!({ "card_token": "tok_visa" }))
        .await;
    let unpaid = app.place_order(&buyer, &product, 1).await;
    let product_path = format!("/api/v1/products/{product}");
    let product_before = json(app.get(&product_path, None).await).await;
    let orders_before = json(app.get("/api/v1/orders", Some(&buyer.token)).await).await;
    let source = app.stop().await;

    let config = test_config(source.path(), &[]);
    let from = format!("embedded:{}", source.path().display());
    copy(&config, &from, database.url(), 3)
        .await
        .expect("the copy succeeds and verifies");

    let node_dir = Arc::new(TempDir::new().expect("a temp dir"));
    let app = spawn_with(&[("SOUK__STORE__URL", database.url())], Some(node_dir)).await;
    assert_eq!(
        json(app.get(&product_path, None).await).await,
        product_before
    );
    let login = app.login("buyer@example.com", PASSWORD).await;
    assert_eq!(
        login.status(),
        StatusCode::OK,
        "accounts and passwords moved"
    );
    let token = json(login).await["access_token"]
        .as_str()
        .expect("an access token")
        .to_owned();
    let orders_after = json(app.get("/api/v1/orders", Some(&token)).await).await;
    assert_eq!(
        orders_after, orders_before,
        "orders and their timelines moved"
    );
    assert_eq!(orders_after["items"].as_array().map(Vec::len), Some(2));
    let unpaid_path = format!("/api/v1/orders/{}", unpaid["id"].as_str().expect("an id"));
    assert_eq!(
        json(app.get(&unpaid_path, Some(&token)).await).await["status"],
        "pending_payment"
    );
    app.stop().await;

    // Another source into the same database is refused.
    let other = TempDir::new().expect("a temp dir");
    let err = copy(
        &config,
        &format!("embedded:{}", other.path().display()),
        database.url(),
        3,
    )
    .await
    .expect_err("refused");
    assert!(err.to_string().contains("holds a copy from"), "{err:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_copy_resumes_where_it_stopped() {
    let Some(database) = TestDatabase::create().await else {
        return;
    };
    let app = spawn_with(&[], None).await;
    let (_, product) = app.shop("seller@example.com", 50).await;
    for i in 0..6 {
        let buyer = app
            .register(&format!("buyer{i}@example.com"), "customer")
            .await;
        app.place_order(&buyer, &product, 1).await;
    }
    let source = app.stop().await;
    let config = test_config(source.path(), &[]);
    let from = format!("embedded:{}", source.path().display());
    copy(&config, &from, database.url(), 2)
        .await
        .expect("the first copy succeeds");

    // As if the copy had stopped after the first two orders: the rest of the
    // orders and every later kind are not there yet, and the progress record
    // points after the second order.
    let orders = database
        .query_strings("SELECT id::text FROM orders ORDER BY id")
        .await;
    assert_eq!(orders.len(), 6);
    let second = orders[1].replace('-', "");
    database
        .execute(&format!(
            "DELETE FROM order_entries WHERE order_id > '{0}'; \
             DELETE FROM seller_orders WHERE order_id > '{0}'; \
             DELETE FROM orders WHERE id > '{0}'; \
             DELETE FROM tickets; DELETE FROM product_vectors; \
             UPDATE meta SET value = '{{\"source\": \"{1}\", \"at\": [\"orders\", \"{2}\"]}}' \
             WHERE key = 'copy.progress'",
            orders[1],
            from_label(&from),
            second
        ))
        .await;
    copy(&config, &from, database.url(), 2)
        .await
        .expect("the resumed copy succeeds and verifies");
    let after = database
        .query_strings("SELECT id::text FROM orders ORDER BY id")
        .await;
    assert_eq!(after, orders);
}

/// The label a copy records for an embedded source.
fn from_label(from: &str) -> String {
    souk_runtime::store::Location::parse(from)
        .expect("a location")
        .label()
}
