//! Many checkouts at once: one order per idempotency key, and a flash sale
//! that sells exactly its stock.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{add, address, checkout, shop};
use crate::helpers::{Session, TestApp, json, spawn_app};

#[tokio::test]
async fn one_idempotency_key_gives_one_order() {
    let app = spawn_app().await;
    let (_seller, product) = shop(&app, 5).await;
    let buyer = app.register("buyer@example.com", "customer").await;
    add(&app, &buyer, &product, 1).await;
    let body = json!({ "shipping_address": address() });
    let tries = futures_like_join(&app, &buyer, "same", body.clone(), 5).await;
    let ids: std::collections::HashSet<String> = tries
        .iter()
        .map(|o| o["id"].as_str().expect("an order id").to_owned())
        .collect();
    assert_eq!(ids.len(), 1, "{tries:?}");
    let later = json(checkout(&app, &buyer, "same", body).await).await;
    assert!(ids.contains(later["id"].as_str().expect("an order id")));
    let orders = json(app.get("/api/v1/orders", Some(&buyer.token)).await).await;
    assert_eq!(orders["items"].as_array().map(Vec::len), Some(1));
}

async fn futures_like_join(
    app: &TestApp,
    user: &Session,
    key: &str,
    body: Value,
    n: usize,
) -> Vec<Value> {
    let mut tasks = Vec::new();
    for _ in 0..n {
        let (client, url, token, key, body) = (
            app.client.clone(),
            app.url("/api/v1/checkout"),
            user.token.clone(),
            key.to_owned(),
            body.clone(),
        );
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .header("idempotency-key", key)
                .json(&body)
                .send()
                .await
        }));
    }
    let mut out = Vec::new();
    for task in tasks {
        let response = task
            .await
            .expect("the checkout task finishes")
            .expect("the checkout request is sent");
        assert_eq!(response.status(), StatusCode::CREATED);
        out.push(json(response).await);
    }
    out
}

#[tokio::test]
async fn a_flash_sale_over_http_sells_exactly_the_stock() {
    let app = spawn_app().await;
    let (_seller, product) = shop(&app, 5).await;
    let mut buyers = Vec::new();
    for i in 0..30 {
        let buyer = app.register(&format!("b{i}@example.com"), "customer").await;
        add(&app, &buyer, &product, 1).await;
        buyers.push(buyer);
    }
    let tasks: Vec<_> = buyers
        .iter()
        .map(|b| {
            let (client, url, token) = (
                app.client.clone(),
                app.url("/api/v1/checkout"),
                b.token.clone(),
            );
            tokio::spawn(async move {
                client
                    .post(url)
                    .bearer_auth(token)
                    .header("idempotency-key", "flash")
                    .json(&json!({ "shipping_address": address() }))
                    .send()
                    .await
            })
        })
        .collect();
    let (mut created, mut sold_out) = (0, 0);
    for task in tasks {
        let response = task
            .await
            .expect("the checkout task finishes")
            .expect("the checkout request is sent");
        match response.status() {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => {
                assert_eq!(json(response).await["code"], "out_of_stock");
                sold_out += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!((created, sold_out), (5, 25));
    let stock = json(app.get(&format!("/api/v1/products/{product}"), None).await).await;
    assert_eq!(stock["stock"]["available"], 0);
}
