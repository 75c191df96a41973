//! The notification inbox: what a shopper or seller was told live is there
//! later, whether or not they were connected; they page it and mark it read.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, assert_problem, json, spawn_app};

async fn inbox(app: &TestApp, user: &Session, query: &str) -> Value {
    let path = format!("/api/v1/users/me/notifications{query}");
    let response = app.get(&path, Some(&user.token)).await;
    assert_eq!(response.status(), StatusCode::OK);
    json(response).await
}

/// Waits (up to 10 s) until `user`'s inbox holds at least `count` items.
async fn inbox_of_at_least(app: &TestApp, user: &Session, count: usize) -> Value {
    for _ in 0..200 {
        let found = inbox(app, user, "?limit=100").await;
        if found["items"].as_array().is_some_and(|i| i.len() >= count) {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "fewer than {count} notifications: {}",
        inbox(app, user, "").await
    );
}

fn titles(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| n["title"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn an_offline_shopper_and_seller_find_what_happened() {
    let app = spawn_app().await;
    let (seller, product) = app.shop("inbox-seller@example.com", 5).await;
    let buyer = app.register("inbox-buyer@example.com", "customer").await;
    let order = app.place_order(&buyer, &product, 2).await;
    let id = order["id"].as_str().expect("an order id");
    app.order_action(&buyer, id, "pay", json!({ "card_token": "tok_visa" }))
        .await;
    app.ship_and_deliver(&seller, id).await;
    let reference = id[..8].to_uppercase();

    // Nobody was connected; the buyer finds the order's story, newest first.
    let found = inbox_of_at_least(&app, &buyer, 4).await;
    let seen = titles(&found);
    assert_eq!(seen[0], format!("Order {reference} is delivered"));
    assert_eq!(seen[1], format!("Order {reference} is shipped"));
    assert!(
        seen.contains(&format!("Payment for order {reference} received")),
        "{seen:?}"
    );
    assert!(
        seen.contains(&format!("Order {reference} is pending payment")),
        "{seen:?}"
    );
    let total = seen.len();
    assert_eq!(found["unread"], total);
    assert_eq!(found["items"][0]["kind"], "order_status");
    assert_eq!(found["items"][0]["data"]["order_id"], id);

    // The seller finds the new order and the low-stock alert (5 - 2 < 5).
    let theirs = inbox_of_at_least(&app, &seller, 2).await;
    let kinds: Vec<&str> = theirs["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n["kind"].as_str())
        .collect();
    assert!(
        kinds.contains(&"new_order") && kinds.contains(&"low_stock"),
        "{kinds:?}"
    );
    assert!(titles(&theirs).contains(&"Low stock: Kettle (3 left)".to_owned()));

    // Pages of one, by cursor, end.
    let mut cursor = String::new();
    let mut paged = Vec::new();
    loop {
        let page = inbox(&app, &buyer, &format!("?limit=1{cursor}")).await;
        paged.extend(titles(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(paged, seen);

    // Marking read: one, then the rest; another user's id is ignored.
    let first = found["items"][0]["id"].clone();
    let seller_note = theirs["items"][0]["id"].clone();
    let read = "/api/v1/users/me/notifications/read";
    let body = json!({ "ids": [first, seller_note] });
    let marked = json(app.post(read, Some(&buyer.token), body).await).await;
    assert_eq!(marked, json!({ "marked": 1, "unread": total - 1 }));
    let now = inbox(&app, &buyer, "").await;
    assert!(now["items"][0]["read_at"].is_string());
    let marked = json(
        app.post(read, Some(&buyer.token), json!({ "all": true }))
            .await,
    )
    .await;
    assert_eq!(marked, json!({ "marked": total - 1, "unread": 0 }));
    // The seller's own stay unread.
    assert!(inbox(&app, &seller, "").await["unread"].as_u64() >= Some(2));
}

#[tokio::test]
async fn the_inbox_is_private_and_checks_its_input() {
    let app = spawn_app().await;
    let loner = app.register("loner@example.com", "customer").await;
    let empty = inbox(&app, &loner, "").await;
    assert_eq!(
        empty,
        json!({ "items": [], "next_cursor": null, "unread": 0 })
    );
    let read = "/api/v1/users/me/notifications/read";
    let too_many: Vec<uuid::Uuid> = (0..101).map(|_| uuid::Uuid::now_v7()).collect();
    for bad in [json!({ "ids": [] }), json!({ "ids": too_many })] {
        let response = app.post(read, Some(&loner.token), bad).await;
        assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
    }
    // Neither `ids` nor `all` marks nothing; `all` wins over `ids`.
    for nothing in [
        json!({}),
        json!({ "all": false }),
        json!({ "ids": null, "all": null }),
        json!({ "ids": [uuid::Uuid::now_v7()], "all": true }),
    ] {
        let response = app.post(read, Some(&loner.token), nothing).await;
        assert_eq!(json(response).await, json!({ "marked": 0, "unread": 0 }));
    }
    let response = app
        .get(
            "/api/v1/users/me/notifications?cursor=bm9wZQ",
            Some(&loner.token),
        )
        .await;
    assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    let response = app.get("/api/v1/users/me/notifications", None).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}
