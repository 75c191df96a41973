//! An order that ends unpaid, cancelled or expired, puts its lines back in
//! the buyer's cart, so they can try again without finding the products.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, json, spawn_with};

async fn cart_units(app: &TestApp, buyer: &Session, product: &str) -> u64 {
    let cart = json(app.get("/api/v1/cart", Some(&buyer.token)).await).await;
    let items = cart["items"].as_array().cloned().unwrap_or_default();
    items
        .iter()
        .filter(|i| i["product_id"] == product)
        .map(|i| i["quantity"].as_u64().unwrap_or(0))
        .sum()
}

fn id(order: &Value) -> String {
    order["id"].as_str().expect("an order id").to_owned()
}

#[tokio::test]
async fn an_order_that_ends_unpaid_puts_its_lines_back_in_the_cart() {
    let app = spawn_with(&[("SOUK__CHECKOUT__PAYMENT_WINDOW_SECS", "5")], None).await;
    let (_, product) = app.shop("seller@example.com", 5).await;
    let buyer = app.register("buyer@example.com", "customer").await;

    let cancelled = app.place_order(&buyer, &product, 2).await;
    assert_eq!(cart_units(&app, &buyer, &product).await, 0, "ordered");
    let path = format!("/api/v1/orders/{}/cancel", id(&cancelled));
    let answer = app.post(&path, Some(&buyer.token), json!({})).await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(
        cart_units(&app, &buyer, &product).await,
        2,
        "back after cancelling"
    );

    let expiring = app.checkout(&buyer).await;
    assert_eq!(expiring.status(), StatusCode::CREATED);
    let expiring = json(expiring).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let order = json(
            app.get(
                &format!("/api/v1/orders/{}", id(&expiring)),
                Some(&buyer.token),
            )
            .await,
        )
        .await;
        if order["status"] == "expired" {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not expired: {order}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The lines go back just after the expiry is written.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while cart_units(&app, &buyer, &product).await != 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "back after expiring"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
