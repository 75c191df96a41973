//! Checkout and orders over HTTP: the happy path, idempotency, a flash sale,
//! payment outcomes, the lifecycle and who may do what.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, assert_problem, json, product_body, spawn_app, spawn_with};

fn address() -> Value {
    json!({ "name": "Ada", "line1": "1 Main St", "city": "London", "postal_code": "N1", "country": "GB" })
}

async fn checkout(app: &TestApp, user: &Session, key: &str, body: Value) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/checkout"))
        .bearer_auth(&user.token)
        .header("idempotency-key", key)
        .json(&body)
        .send()
        .await
        .expect("the checkout request is sent")
}

async fn shop(app: &TestApp, stock: i64) -> (Session, String) {
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

async fn add(app: &TestApp, user: &Session, product: &str, quantity: u32) {
    let response = app
        .post(
            "/api/v1/cart/items",
            Some(&user.token),
            json!({ "product_id": product, "quantity": quantity }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_shopper_checks_out_pays_and_receives_the_order() {
    let app = spawn_app().await;
    let (seller, product) = shop(&app, 5).await;
    let buyer = app.register("buyer@example.com", "customer").await;
    add(&app, &buyer, &product, 2).await;
    let placed = checkout(&app, &buyer, "k1", json!({ "shipping_address": address() })).await;
    assert_eq!(placed.status(), StatusCode::CREATED);
    let order = json(placed).await;
    assert_eq!(order["status"], "pending_payment");
    assert_eq!(order["total"], json!({ "amount": 5000, "currency": "USD" }));
    let id = order["id"].as_str().expect("an order id").to_owned();
    assert_eq!(
        json(app.get("/api/v1/cart", Some(&buyer.token)).await).await["items"],
        json!([]),
        "cart cleared"
    );
    let stock = json(app.get(&format!("/api/v1/products/{product}"), None).await).await;
    assert_eq!(
        stock["stock"]["available"], 3,
        "reserved units leave the shelf"
    );

    let path = |action: &str| format!("/api/v1/orders/{id}/{action}");
    let declined = app
        .post(
            &path("pay"),
            Some(&buyer.token),
            json!({ "card_token": "tok_chargeDeclined" }),
        )
        .await;
    assert_problem(declined, StatusCode::PAYMENT_REQUIRED, "payment_declined").await;
    let bad_token = app
        .post(
            &path("pay"),
            Some(&buyer.token),
            json!({ "card_token": "4242" }),
        )
        .await;
    assert_problem(
        bad_token,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_card_token",
    )
    .await;
    let paid = json(
        app.post(
            &path("pay"),
            Some(&buyer.token),
            json!({ "card_token": "tok_visa" }),
        )
        .await,
    )
    .await;
    assert_eq!(paid["status"], "paid");
    let again = app
        .post(
            &path("pay"),
            Some(&buyer.token),
            json!({ "card_token": "tok_visa" }),
        )
        .await;
    assert_eq!(
        again.status(),
        StatusCode::OK,
        "a duplicate confirmation is a no-op"
    );

    let ship = json!({ "carrier": "Parcelforce", "tracking_number": "PF1", "estimated_delivery": "2026-12-01" });
    assert_problem(
        app.post(&path("ship"), Some(&buyer.token), ship.clone())
            .await,
        StatusCode::FORBIDDEN,
        "forbidden_role",
    )
    .await;
    let shipped = json(app.post(&path("ship"), Some(&seller.token), ship).await).await;
    assert_eq!(shipped["shipment"]["tracking_number"], "PF1");
    let cancel = app
        .post(&path("cancel"), Some(&buyer.token), json!({}))
        .await;
    let problem = assert_problem(cancel, StatusCode::CONFLICT, "invalid_transition").await;
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("shipped")),
        "names the state: {problem}"
    );
    let delivered = json(
        app.post(&path("deliver"), Some(&seller.token), json!({}))
            .await,
    )
    .await;
    assert_eq!(delivered["status"], "delivered");
    let statuses: Vec<&str> = delivered["timeline"]
        .as_array()
        .map(|t| t.iter().filter_map(|e| e["type"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        statuses,
        [
            "placed",
            "payment_created",
            "payment_declined",
            "payment_succeeded",
            "shipped",
            "delivered"
        ]
    );

    let mine = json(app.get("/api/v1/orders", Some(&buyer.token)).await).await;
    assert_eq!(mine["items"][0]["id"], id.as_str());
    let sales = json(app.get("/api/v1/seller/orders", Some(&seller.token)).await).await;
    assert_eq!(
        sales["items"][0]["lines"][0]["product_id"],
        product.as_str()
    );
    let stranger = app.register("stranger@example.com", "customer").await;
    assert_problem(
        app.get(&format!("/api/v1/orders/{id}"), Some(&stranger.token))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_problem(
        app.post(&path("refund"), Some(&buyer.token), json!({}))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden_role",
    )
    .await;
    let admin = app.admin().await;
    let refunded = json(
        app.post(&path("refund"), Some(&admin.token), json!({}))
            .await,
    )
    .await;
    assert_eq!(refunded["status"], "refunded");
}

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

#[tokio::test]
async fn bad_checkouts_are_refused_precisely() {
    let app = spawn_app().await;
    let (_seller, product) = shop(&app, 5).await;
    let buyer = app.register("buyer@example.com", "customer").await;
    let body = json!({ "shipping_address": address() });
    assert_problem(
        checkout(&app, &buyer, "k", body.clone()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "empty_cart",
    )
    .await;
    add(&app, &buyer, &product, 1).await;
    let missing = app
        .post("/api/v1/checkout", Some(&buyer.token), body.clone())
        .await;
    assert_problem(missing, StatusCode::BAD_REQUEST, "missing_idempotency_key").await;
    assert_problem(
        checkout(&app, &buyer, &"k".repeat(300), body.clone()).await,
        StatusCode::BAD_REQUEST,
        "invalid_idempotency_key",
    )
    .await;
    assert_problem(
        checkout(&app, &buyer, "k", json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "address_required",
    )
    .await;
    let both = json!({ "shipping_address": address(), "address_id": uuid::Uuid::now_v7() });
    assert_problem(
        checkout(&app, &buyer, "k", both).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "address_required",
    )
    .await;
    let unknown = json!({ "address_id": uuid::Uuid::now_v7() });
    assert_problem(
        checkout(&app, &buyer, "k", unknown).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown_address",
    )
    .await;
    let mut bad_address = address();
    bad_address["country"] = json!("gbr");
    assert_problem(
        checkout(
            &app,
            &buyer,
            "k",
            json!({ "shipping_address": bad_address }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
    )
    .await;
    // A saved address works.
    let saved = json(
        app.post("/api/v1/users/me/addresses", Some(&buyer.token), address())
            .await,
    )
    .await;
    let by_id = checkout(&app, &buyer, "k", json!({ "address_id": saved["id"] })).await;
    assert_eq!(by_id.status(), StatusCode::CREATED);
    let anonymous = app
        .raw(
            Method::POST,
            "/api/v1/checkout",
            None,
            "application/json",
            body.to_string(),
        )
        .await;
    assert_problem(anonymous, StatusCode::UNAUTHORIZED, "missing_token").await;
}

#[tokio::test]
async fn a_slow_checkout_answers_with_a_ticket_its_owner_can_follow() {
    let app = spawn_with(&[("SOUK__CHECKOUT__WAIT_MS", "0")], None).await;
    let (_seller, product) = shop(&app, 5).await;
    let buyer = app.register("buyer@example.com", "customer").await;
    add(&app, &buyer, &product, 1).await;
    let accepted = checkout(&app, &buyer, "k", json!({ "shipping_address": address() })).await;
    assert_eq!(accepted.status(), StatusCode::ACCEPTED);
    let queued = json(accepted).await;
    assert_eq!(queued["lane"], "standard");
    let ticket = queued["ticket"].as_str().expect("a ticket id").to_owned();
    let path = format!("/api/v1/checkout/{ticket}");
    let mut view = Value::Null;
    for _ in 0..100 {
        view = json(app.get(&path, Some(&buyer.token)).await).await;
        if view["state"] == "completed" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(view["state"], "completed", "{view}");
    let order = format!(
        "/api/v1/orders/{}",
        view["order_id"].as_str().expect("an order id")
    );
    assert_eq!(
        json(app.get(&order, Some(&buyer.token)).await).await["status"],
        "pending_payment"
    );
    let stranger = app.register("s2@example.com", "customer").await;
    assert_problem(
        app.get(&path, Some(&stranger.token)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn cancelling_before_payment_returns_the_stock() {
    let app = spawn_app().await;
    let (_seller, product) = shop(&app, 2).await;
    let buyer = app.register("buyer@example.com", "customer").await;
    add(&app, &buyer, &product, 2).await;
    let order =
        json(checkout(&app, &buyer, "k", json!({ "shipping_address": address() })).await).await;
    let id = order["id"].as_str().expect("an order id").to_owned();
    let moved = app.patch(&format!("/api/v1/orders/{id}/address"), Some(&buyer.token), json!({ "shipping_address": { "name": "Bo", "line1": "9 New St", "city": "Leeds", "postal_code": "LS1", "country": "GB" } })).await;
    assert_eq!(json(moved).await["shipping_address"]["city"], "Leeds");
    let cancelled = json(
        app.post(
            &format!("/api/v1/orders/{id}/cancel"),
            Some(&buyer.token),
            json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(cancelled["status"], "cancelled");
    let stock = json(app.get(&format!("/api/v1/products/{product}"), None).await).await;
    assert_eq!(stock["stock"]["available"], 2);
    let pay = app
        .post(
            &format!("/api/v1/orders/{id}/pay"),
            Some(&buyer.token),
            json!({ "card_token": "tok_visa" }),
        )
        .await;
    assert_problem(pay, StatusCode::CONFLICT, "invalid_transition").await;
}
