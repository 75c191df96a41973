//! Checkout and orders over HTTP: the happy path, idempotency, a flash sale,
//! payment outcomes, the lifecycle and who may do what. This file holds what
//! the tests share.

mod admin_orders;
mod back_to_cart;
mod charges;
mod concurrency;
mod journey;
mod refunds;
mod refusals;
mod returns;
mod tickets;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, product_body};

pub(super) fn address() -> Value {
    json!({ "name": "Ada", "line1": "1 Main St", "city": "London", "postal_code": "N1", "country": "GB" })
}

pub(super) async fn checkout(
    app: &TestApp,
    user: &Session,
    key: &str,
    body: Value,
) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/checkout"))
        .bearer_auth(&user.token)
        .header("idempotency-key", key)
        .json(&body)
        .send()
        .await
        .expect("the checkout request is sent")
}

pub(super) async fn shop(app: &TestApp, stock: i64) -> (Session, String) {
    app.category("kitchen").await;
    let seller = app.register("seller@example.com", "seller").await;
    let product = app
        .product(&seller, product_body("Kettle", "kitchen", 2500, stock))
        .await;
    (
        seller,
        product["id"].as_str().expect("a product id").to_owned(),
    )
}

pub(super) async fn add(app: &TestApp, user: &Session, product: &str, quantity: u32) {
    let response = app
        .post(
            "/api/v1/cart/items",
            Some(&user.token),
            json!({ "product_id": product, "quantity": quantity }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}
