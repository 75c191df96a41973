//! Admins find orders by status, buyer, seller, product and date, page by
//! page; nobody else may.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, assert_problem, json, product_body, spawn_app};

async fn found(app: &TestApp, admin: &Session, query: &str) -> Value {
    let answer = app
        .get(&format!("/api/v1/admin/orders?{query}"), Some(&admin.token))
        .await;
    assert_eq!(answer.status(), StatusCode::OK, "{query}");
    json(answer).await
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|o| o["id"].as_str().expect("an id").to_owned())
        .collect()
}

fn id(order: &Value) -> String {
    order["id"].as_str().expect("an id").to_owned()
}

#[tokio::test]
async fn admins_find_orders_by_every_filter_newest_first_page_by_page() {
    let app = spawn_app().await;
    let (_, kettle) = app.shop("kettles@example.com", 10).await;
    let mugs = app.register("mugs@example.com", "seller").await;
    let mug = app
        .product(&mugs, product_body("Mug", "kitchen", 800, 10))
        .await;
    let mug = mug["id"].as_str().expect("an id").to_owned();
    let (ann, bob) = (
        app.register("ann@example.com", "customer").await,
        app.register("bob@example.com", "customer").await,
    );
    let before_all = time::OffsetDateTime::now_utc() - time::Duration::seconds(1);
    let first = id(&app.place_order(&ann, &kettle, 1).await);
    app.order_action(
        &ann,
        first.as_str(),
        "pay",
        json!({ "card_token": "tok_visa" }),
    )
    .await;
    let second = id(&app.place_order(&ann, &mug, 2).await);
    let third = id(&app.place_order(&bob, &kettle, 1).await);
    app.order_action(&bob, third.as_str(), "cancel", json!({}))
        .await;
    let admin = app.admin().await;

    assert_eq!(
        ids(&found(&app, &admin, "").await),
        [third.as_str(), second.as_str(), first.as_str()]
    );
    assert_eq!(
        ids(&found(&app, &admin, "status=paid").await),
        [first.as_str()]
    );
    assert_eq!(
        ids(&found(&app, &admin, "status=cancelled").await),
        [third.as_str()]
    );
    let by_ann = format!("buyer_id={}", ann.id);
    assert_eq!(
        ids(&found(&app, &admin, &by_ann).await),
        [second.as_str(), first.as_str()]
    );
    let by_mugs = format!("seller_id={}", mugs.id);
    assert_eq!(ids(&found(&app, &admin, &by_mugs).await), [second.as_str()]);
    let of_kettle = format!("product_id={kettle}&status=pending_payment");
    assert!(ids(&found(&app, &admin, &of_kettle).await).is_empty());
    let of_kettle = format!("product_id={kettle}&buyer_id={}", bob.id);
    assert_eq!(
        ids(&found(&app, &admin, &of_kettle).await),
        [third.as_str()]
    );

    let stamp = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .expect("a time formats")
            .replace('+', "%2B")
    };
    let all_of_it = format!("from={}", stamp(before_all));
    assert_eq!(ids(&found(&app, &admin, &all_of_it).await).len(), 3);
    let too_early = format!("to={}", stamp(before_all));
    assert!(ids(&found(&app, &admin, &too_early).await).is_empty());
    let upside_down = format!(
        "from={}&to={}",
        stamp(time::OffsetDateTime::now_utc()),
        stamp(before_all)
    );
    assert!(ids(&found(&app, &admin, &upside_down).await).is_empty());

    // One at a time, following the cursors.
    let mut seen = Vec::new();
    let mut query = "limit=1".to_owned();
    loop {
        let page = found(&app, &admin, &query).await;
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => query = format!("limit=1&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, [third.as_str(), second.as_str(), first.as_str()]);

    let refused = app.get("/api/v1/admin/orders", Some(&ann.token)).await;
    assert_problem(refused, StatusCode::FORBIDDEN, "forbidden_role").await;
    for bad in [
        "from=yesterday",
        "cursor=nope",
        "limit=0",
        "status=lost",
        "buyer_id=7",
    ] {
        let answer = app
            .get(&format!("/api/v1/admin/orders?{bad}"), Some(&admin.token))
            .await;
        assert_problem(answer, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    }
}
