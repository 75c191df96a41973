//! A marketplace moved off the embedded store with `souk store copy` and
//! served from its new store, shared by each shared backend's tests.

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::json;
use souk_runtime::store_copy::copy;
use tempfile::TempDir;

use crate::helpers::{PASSWORD, json, spawn_with, test_config};

/// Builds a marketplace on the embedded store (a product, a paid order and
/// an unpaid one), copies it to the empty store at `url`, serves it from
/// there (same product, logins, orders and timelines), then checks that a
/// copy from another source into it is refused.
pub async fn moves_and_is_served_from(url: &str) {
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
    copy(&config, &from, url, 3)
        .await
        .expect("the copy succeeds and verifies");

    let node_dir = Arc::new(TempDir::new().expect("a temp dir"));
    let app = spawn_with(&[("SOUK__STORE__URL", url)], Some(node_dir)).await;
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
        url,
        3,
    )
    .await
    .expect_err("refused");
    assert!(err.to_string().contains("holds a copy from"), "{err:#}");
}
