//! Listing management: create, edit, archive and stock, with ownership rules.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{assert_problem, json, product_body, spawn_app, spawn_with};

#[tokio::test]
async fn a_seller_lists_edits_restocks_and_archives_a_product() {
    let app = spawn_app().await;
    app.category("kitchen").await;
    let seller = app.register("s@example.com", "seller").await;
    let token = Some(seller.token.as_str());
    let created = app
        .product(&seller, product_body("Copper Kettle", "kitchen", 4999, 3))
        .await;
    assert_eq!(created["seller_id"], seller.id.as_str());
    assert_eq!(
        created["price"],
        json!({ "amount": 4999, "currency": "USD" })
    );
    assert_eq!(
        created["stock"],
        json!({ "available": 3, "in_stock": true, "low_stock_threshold": null })
    );
    let path = format!(
        "/api/v1/products/{}",
        created["id"].as_str().expect("a product id")
    );

    let public = json(app.get(&path, None).await).await;
    assert_eq!(public["title"], "Copper Kettle");

    let edited = json(app.patch(&path, token, json!({ "title": "Copper Kettle 1.5 L", "price": { "amount": 5499, "currency": "USD" } })).await).await;
    assert_eq!(edited["title"], "Copper Kettle 1.5 L");
    assert_eq!(edited["price"]["amount"], 5499);
    assert_eq!(
        edited["description"], created["description"],
        "untouched fields stay"
    );

    let stock = json(
        app.put(&format!("{path}/stock"), token, json!({ "available": 0 }))
            .await,
    )
    .await;
    assert_eq!(stock["available"], 0);
    assert_eq!(
        json(app.get(&path, None).await).await["stock"]["in_stock"],
        false
    );

    assert_eq!(
        app.delete(&path, token).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.delete(&path, token).await.status(),
        StatusCode::NO_CONTENT,
        "archiving twice is fine"
    );
    assert_problem(
        app.get(&path, None).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_eq!(
        json(app.get(&path, token).await).await["status"],
        "archived"
    );
    let mine = json(app.get("/api/v1/seller/products", token).await).await;
    assert_eq!(mine["items"][0]["status"], "archived");
    let public_list = json(app.get("/api/v1/products", None).await).await;
    assert_eq!(public_list["items"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn invalid_listings_are_refused_with_the_field() {
    let app = spawn_app().await;
    app.category("kitchen").await;
    let seller = app.register("s@example.com", "seller").await;
    let token = Some(seller.token.as_str());
    let base = product_body("Kettle", "kitchen", 100, 1);
    let with = |key: &str, value: serde_json::Value| {
        let mut body = base.clone();
        body[key] = value;
        body
    };
    let cases = [
        (with("title", json!("")), "invalid_field", "title"),
        (
            with("title", json!("t".repeat(201))),
            "invalid_field",
            "title",
        ),
        (
            with("description", json!("d".repeat(5001))),
            "invalid_field",
            "description",
        ),
        (
            with("price", json!({ "amount": -1, "currency": "USD" })),
            "invalid_field",
            "price",
        ),
        (
            with("price", json!({ "amount": 19.99, "currency": "USD" })),
            "invalid_field",
            "price.amount",
        ),
        (
            with("price", json!({ "amount": 1, "currency": "usd" })),
            "invalid_field",
            "price.currency",
        ),
        (
            with(
                "price",
                json!({ "amount": 1_000_000_000_000_i64, "currency": "USD" }),
            ),
            "invalid_field",
            "price",
        ),
        (
            with("price", json!({ "amount": 100, "currency": "EUR" })),
            "wrong_currency",
            "price.currency",
        ),
        (with("stock", json!(-5)), "invalid_field", "stock"),
        (
            with("stock", json!(10_000_000_000_i64)),
            "invalid_field",
            "stock",
        ),
        (
            with("category", json!("nope")),
            "unknown_category",
            "category",
        ),
        (
            with("category", json!("Not A Slug")),
            "invalid_field",
            "category",
        ),
        (
            with("attributes", json!({ "Bad Key": "x" })),
            "invalid_field",
            "attributes",
        ),
        (
            with("images", json!(["javascript:alert(1)"])),
            "invalid_field",
            "images[0]",
        ),
        (
            with("images", json!(vec!["https://cdn.example.com/a.jpg"; 13])),
            "too_many_images",
            "images",
        ),
        (
            with("seller_id", json!("someone-else")),
            "invalid_field",
            "seller_id",
        ),
    ];
    for (body, code, field) in cases {
        let problem = assert_problem(
            app.post("/api/v1/products", token, body.clone()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
        )
        .await;
        assert_eq!(problem["field"], field, "{body}");
    }
    let mine = json(app.get("/api/v1/seller/products", token).await).await;
    assert_eq!(
        mine["items"].as_array().map(Vec::len),
        Some(0),
        "nothing was created"
    );
}

#[tokio::test]
async fn only_the_owner_or_an_admin_may_change_a_product() {
    let app = spawn_app().await;
    app.category("kitchen").await;
    let owner = app.register("owner@example.com", "seller").await;
    let rival = app.register("rival@example.com", "seller").await;
    let customer = app.register("c@example.com", "customer").await;
    let admin = app.admin().await;
    let product = app
        .product(&owner, product_body("Kettle", "kitchen", 100, 1))
        .await;
    let path = format!(
        "/api/v1/products/{}",
        product["id"].as_str().expect("a product id")
    );
    let rename = json!({ "title": "Stolen" });
    assert_problem(
        app.patch(&path, Some(&rival.token), rename.clone()).await,
        StatusCode::FORBIDDEN,
        "not_owner",
    )
    .await;
    assert_problem(
        app.patch(&path, Some(&customer.token), rename.clone())
            .await,
        StatusCode::FORBIDDEN,
        "forbidden_role",
    )
    .await;
    assert_problem(
        app.put(
            &format!("{path}/stock"),
            Some(&rival.token),
            json!({ "available": 0 }),
        )
        .await,
        StatusCode::FORBIDDEN,
        "not_owner",
    )
    .await;
    assert_problem(
        app.delete(&path, Some(&rival.token)).await,
        StatusCode::FORBIDDEN,
        "not_owner",
    )
    .await;
    assert_eq!(json(app.get(&path, None).await).await["title"], "Kettle");
    let by_admin = json(
        app.patch(&path, Some(&admin.token), json!({ "title": "Moderated" }))
            .await,
    )
    .await;
    assert_eq!(by_admin["title"], "Moderated");
    // Once archived, another seller cannot even learn it exists.
    assert_eq!(
        app.delete(&path, Some(&owner.token)).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_problem(
        app.patch(&path, Some(&rival.token), rename).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_problem(
        app.get(&path, Some(&rival.token)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn oversized_bodies_and_bad_ids_are_refused() {
    let app = spawn_with(&[("SOUK__HTTP__BODY_LIMIT_BYTES", "4096")], None).await;
    let seller = app.register("s@example.com", "seller").await;
    let huge = format!("{{\"title\": \"{}\"}}", "x".repeat(10_000));
    let response = app
        .raw(
            Method::POST,
            "/api/v1/products",
            Some(&seller.token),
            "application/json",
            huge,
        )
        .await;
    assert_problem(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    assert_problem(
        app.get("/api/v1/products/not-a-uuid", None).await,
        StatusCode::BAD_REQUEST,
        "invalid_path",
    )
    .await;
    let unknown = format!("/api/v1/products/{}", uuid::Uuid::now_v7());
    assert_problem(
        app.get(&unknown, None).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_problem(
        app.patch(&unknown, Some(&seller.token), json!({ "title": "x" }))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}
