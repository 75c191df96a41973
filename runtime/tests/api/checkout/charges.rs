//! What a buyer pays: the lines, each seller's shipping and the tax for the
//! destination and category, shown on the cart, frozen on the order,
//! charged in full and refunded line by line with the line's tax.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, assert_problem, json, product_body, spawn_with};

const RATES: (&str, &str) = (
    "SOUK__TAX__RATES",
    r#"[{ country = "GB", percent = 20 }, { country = "GB", category = "books", percent = 0 }]"#,
);

fn usd(amount: i64) -> Value {
    json!({ "amount": amount, "currency": "USD" })
}

/// A kettle seller with rates (5.00 per order, 1.00 per unit, free from
/// 100.00) and a book seller without; a buyer with two kettles and a book
/// in the cart. Returns the buyer and the kettle.
async fn cart(app: &TestApp) -> (Session, String) {
    let (kettles, kettle) = app.shop("kettles@example.com", 10).await;
    let rates = json!({ "per_order": usd(500), "per_item": usd(100), "free_over": usd(10_000) });
    let set = app
        .put(
            "/api/v1/seller/shipping",
            Some(&kettles.token),
            rates.clone(),
        )
        .await;
    assert_eq!(set.status(), StatusCode::OK);
    assert_eq!(json(set).await, rates);
    app.category("books").await;
    let books = app.register("books@example.com", "seller").await;
    let book = app
        .product(&books, product_body("Atlas", "books", 1000, 10))
        .await;
    let shown = json(app.get("/api/v1/seller/shipping", Some(&books.token)).await).await;
    assert_eq!(shown["per_order"], usd(0), "no rates: ships free");
    let buyer = app.register("buyer@example.com", "customer").await;
    for (product, quantity) in [
        (kettle.as_str(), 2),
        (book["id"].as_str().expect("an id"), 1),
    ] {
        let item = json!({ "product_id": product, "quantity": quantity });
        let added = app
            .post("/api/v1/cart/items", Some(&buyer.token), item)
            .await;
        assert_eq!(added.status(), StatusCode::OK);
    }
    (buyer, kettle)
}

#[tokio::test]
async fn shipping_and_tax_are_shown_frozen_on_the_order_and_refunded_with_their_line() {
    let app = spawn_with(&[RATES], None).await;
    let (buyer, kettle) = cart(&app).await;

    let to_gb = json(app.get("/api/v1/cart?country=GB", Some(&buyer.token)).await).await;
    let estimate = &to_gb["estimate"];
    assert_eq!(estimate["subtotal"], usd(6000));
    assert_eq!(
        estimate["shipping"],
        usd(700),
        "5.00 + 2 × 1.00; the books ship free"
    );
    assert_eq!(estimate["tax"], usd(1000), "20% on kettles, none on books");
    assert_eq!(estimate["total"], usd(7700));
    let to_fr = json(app.get("/api/v1/cart?country=FR", Some(&buyer.token)).await).await;
    assert_eq!(to_fr["estimate"]["tax"], usd(0));
    assert_eq!(to_fr["estimate"]["total"], usd(6700));
    let bad = app.get("/api/v1/cart?country=gb", Some(&buyer.token)).await;
    assert_problem(bad, StatusCode::BAD_REQUEST, "invalid_parameter").await;

    let placed = app.checkout(&buyer).await; // to GB
    assert_eq!(placed.status(), StatusCode::CREATED);
    let order = json(placed).await;
    assert_eq!(
        [
            &order["subtotal"],
            &order["shipping"],
            &order["tax"],
            &order["total"]
        ],
        [&usd(6000), &usd(700), &usd(1000), &usd(7700)]
    );
    assert_eq!(order["tax_included"], false);
    let id = order["id"].as_str().expect("an id");
    app.order_action(&buyer, id, "pay", json!({ "card_token": "tok_visa" }))
        .await;

    let admin = app.admin().await;
    let refunded = app
        .client
        .post(app.url(&format!("/api/v1/orders/{id}/refunds")))
        .bearer_auth(&admin.token)
        .header("idempotency-key", "one-kettle")
        .json(&json!({ "lines": [{ "product_id": kettle, "quantity": 1 }], "reason": "dented" }))
        .send()
        .await
        .expect("sent");
    let refunded = json(refunded).await;
    let amounts: Vec<&Value> = refunded["timeline"]
        .as_array()
        .expect("a timeline")
        .iter()
        .filter(|e| e["type"] == "part_refunded")
        .map(|e| &e["amount"])
        .collect();
    assert_eq!(amounts, [&usd(3000)], "the kettle and its 20% tax");
}

#[tokio::test]
async fn with_tax_inclusive_prices_the_tax_is_shown_inside_the_total() {
    let app = spawn_with(&[RATES, ("SOUK__TAX__MODE", "inclusive")], None).await;
    let (buyer, _) = cart(&app).await;
    let order = json(app.checkout(&buyer).await).await;
    assert_eq!(order["tax"], usd(833), "a sixth of 50.00, rounded half up");
    assert_eq!(order["tax_included"], true);
    assert_eq!(
        order["total"],
        usd(6700),
        "lines and shipping; the tax is inside"
    );
}

#[tokio::test]
async fn shipping_rates_are_the_sellers_own_in_the_marketplace_currency() {
    let app = spawn_with(&[], None).await;
    let seller = app.register("seller@example.com", "seller").await;
    let euros = json!({ "per_order": { "amount": 500, "currency": "EUR" }, "per_item": usd(0), "free_over": null });
    let refused = app
        .put("/api/v1/seller/shipping", Some(&seller.token), euros)
        .await;
    assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY, "wrong_currency").await;
    let buyer = app.register("buyer@example.com", "customer").await;
    let rates = json!({ "per_order": usd(500), "per_item": usd(0), "free_over": null });
    let not_a_seller = app
        .put("/api/v1/seller/shipping", Some(&buyer.token), rates)
        .await;
    assert_problem(not_a_seller, StatusCode::FORBIDDEN, "forbidden_role").await;
}
