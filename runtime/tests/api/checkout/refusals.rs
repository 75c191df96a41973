//! Checkouts the server refuses, each with its precise problem.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{add, address, checkout, shop};
use crate::helpers::{assert_problem, json, spawn_app};

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
