//! A shopper's whole journey: checkout, payment, the lifecycle of the order.

use reqwest::StatusCode;
use serde_json::json;

use super::{add, address, checkout, shop};
use crate::helpers::{assert_problem, json, spawn_app};

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
