//! The cart over HTTP: priced from the catalog, flagged not dropped, bounded.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, assert_problem, json, product_body, spawn_app};

async fn shop() -> (TestApp, Session, Session, String, String) {
    let app = spawn_app().await;
    app.category("kitchen").await;
    let seller = app.register("s@example.com", "seller").await;
    let buyer = app.register("b@example.com", "customer").await;
    let kettle = app
        .product(&seller, product_body("Kettle", "kitchen", 2500, 5))
        .await;
    let pan = app
        .product(&seller, product_body("Pan", "kitchen", 1000, 2))
        .await;
    let id = |v: &Value| v["id"].as_str().expect("a product id").to_owned();
    (app, seller, buyer, id(&kettle), id(&pan))
}

fn line<'a>(cart: &'a Value, product: &str) -> &'a Value {
    cart["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["product_id"] == product))
        .unwrap_or(&Value::Null)
}

#[tokio::test]
async fn a_shopper_fills_adjusts_and_empties_a_cart() {
    let (app, _seller, buyer, kettle, pan) = shop().await;
    let token = Some(buyer.token.as_str());
    let empty = json(app.get("/api/v1/cart", token).await).await;
    assert_eq!(empty["items"], json!([]));
    assert_eq!(empty["ready_for_checkout"], false);

    app.post(
        "/api/v1/cart/items",
        token,
        json!({ "product_id": kettle, "quantity": 1 }),
    )
    .await;
    let cart = json(
        app.post(
            "/api/v1/cart/items",
            token,
            json!({ "product_id": kettle, "quantity": 2 }),
        )
        .await,
    )
    .await;
    assert_eq!(line(&cart, &kettle)["quantity"], 3, "adding merges");
    let cart = json(
        app.post(
            "/api/v1/cart/items",
            token,
            json!({ "product_id": pan, "quantity": 2 }),
        )
        .await,
    )
    .await;
    assert_eq!(
        cart["subtotal"],
        json!({ "amount": 3 * 2500 + 2 * 1000, "currency": "USD" })
    );
    assert_eq!(cart["item_count"], 5);
    assert_eq!(cart["ready_for_checkout"], true);

    let path = format!("/api/v1/cart/items/{kettle}");
    let cart = json(app.patch(&path, token, json!({ "quantity": 1 })).await).await;
    assert_eq!(line(&cart, &kettle)["line_total"]["amount"], 2500);
    let cart = json(app.patch(&path, token, json!({ "quantity": 0 })).await).await;
    assert_eq!(line(&cart, &kettle), &Value::Null, "zero removes");
    let cart = json(
        app.delete(&format!("/api/v1/cart/items/{pan}"), token)
            .await,
    )
    .await;
    assert_eq!(cart["items"], json!([]));
    assert_problem(
        app.delete(&format!("/api/v1/cart/items/{pan}"), token)
            .await,
        StatusCode::NOT_FOUND,
        "not_in_cart",
    )
    .await;

    app.post(
        "/api/v1/cart/items",
        token,
        json!({ "product_id": pan, "quantity": 1 }),
    )
    .await;
    assert_eq!(
        app.delete("/api/v1/cart", token).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        json(app.get("/api/v1/cart", token).await).await["items"],
        json!([])
    );
}

#[tokio::test]
async fn prices_and_stock_come_from_the_catalog_on_every_read() {
    let (app, seller, buyer, kettle, pan) = shop().await;
    let token = Some(buyer.token.as_str());
    app.post(
        "/api/v1/cart/items",
        token,
        json!({ "product_id": kettle, "quantity": 2 }),
    )
    .await;
    app.post(
        "/api/v1/cart/items",
        token,
        json!({ "product_id": pan, "quantity": 2 }),
    )
    .await;
    let seller_token = Some(seller.token.as_str());
    app.patch(
        &format!("/api/v1/products/{kettle}"),
        seller_token,
        json!({ "price": { "amount": 3000, "currency": "USD" } }),
    )
    .await;
    app.put(
        &format!("/api/v1/products/{pan}/stock"),
        seller_token,
        json!({ "available": 1 }),
    )
    .await;
    let cart = json(app.get("/api/v1/cart", token).await).await;
    assert_eq!(
        line(&cart, &kettle)["unit_price"]["amount"],
        3000,
        "the new price"
    );
    assert_eq!(line(&cart, &pan)["status"], "insufficient_stock");
    assert_eq!(cart["subtotal"]["amount"], 6000, "only buyable lines count");
    assert_eq!(cart["ready_for_checkout"], false);
    app.delete(&format!("/api/v1/products/{kettle}"), seller_token)
        .await;
    let cart = json(app.get("/api/v1/cart", token).await).await;
    assert_eq!(
        line(&cart, &kettle)["status"],
        "archived",
        "flagged, not dropped"
    );
    app.put(
        &format!("/api/v1/products/{pan}/stock"),
        seller_token,
        json!({ "available": 0 }),
    )
    .await;
    let cart = json(app.get("/api/v1/cart", token).await).await;
    assert_eq!(line(&cart, &pan)["status"], "out_of_stock");
}

#[tokio::test]
async fn bad_cart_requests_are_refused() {
    let (app, seller, buyer, kettle, pan) = shop().await;
    let token = Some(buyer.token.as_str());
    let add = |body: Value| app.post("/api/v1/cart/items", token, body);
    let too_many = add(json!({ "product_id": kettle, "quantity": 6 })).await;
    assert_problem(too_many, StatusCode::CONFLICT, "insufficient_stock").await;
    for (body, field) in [
        (json!({ "product_id": kettle, "quantity": 0 }), "quantity"),
        (
            json!({ "product_id": kettle, "quantity": 1000 }),
            "quantity",
        ),
        (json!({ "product_id": kettle, "quantity": -1 }), "quantity"),
        (json!({ "product_id": kettle, "quantity": 1.5 }), "quantity"),
        (json!({ "product_id": "nope", "quantity": 1 }), "product_id"),
        (
            json!({ "product_id": kettle, "quantity": 1, "price": 1 }),
            "price",
        ),
    ] {
        let problem = assert_problem(
            add(body.clone()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        )
        .await;
        assert_eq!(problem["field"], field, "{body}");
    }
    let ghost = uuid::Uuid::now_v7().to_string();
    assert_problem(
        add(json!({ "product_id": ghost, "quantity": 1 })).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    app.delete(&format!("/api/v1/products/{pan}"), Some(&seller.token))
        .await;
    assert_problem(
        add(json!({ "product_id": pan, "quantity": 1 })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "product_unavailable",
    )
    .await;
    let patch = app
        .patch(
            &format!("/api/v1/cart/items/{kettle}"),
            token,
            json!({ "quantity": 1000 }),
        )
        .await;
    assert_problem(patch, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
    assert_problem(
        app.get("/api/v1/cart", None).await,
        StatusCode::UNAUTHORIZED,
        "missing_token",
    )
    .await;
    assert_eq!(
        json(app.get("/api/v1/cart", token).await).await["items"],
        json!([]),
        "nothing was added"
    );
}

#[tokio::test]
async fn carts_are_private_and_survive_a_restart() {
    let (app, _seller, buyer, kettle, _pan) = shop().await;
    let other = app.register("o@example.com", "customer").await;
    app.post(
        "/api/v1/cart/items",
        Some(&buyer.token),
        json!({ "product_id": kettle, "quantity": 2 }),
    )
    .await;
    assert_eq!(
        json(app.get("/api/v1/cart", Some(&other.token)).await).await["items"],
        json!([])
    );
    let dir = app.stop().await;
    let app = crate::helpers::spawn_with(&[], Some(dir)).await;
    let cart = json(app.get("/api/v1/cart", Some(&buyer.token)).await).await;
    assert_eq!(line(&cart, &kettle)["quantity"], 2);
}
