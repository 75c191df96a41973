//! Browsing and search: filters, sort orders, cursors, categories.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{TestApp, assert_problem, json, product_body, spawn_app};

async fn catalog() -> TestApp {
    let app = spawn_app().await;
    app.category("footwear").await;
    app.category("kitchen").await;
    let a = app.register("a@example.com", "seller").await;
    let b = app.register("b@example.com", "seller").await;
    let items = [
        (&a, "Waterproof Hiking Boots", "footwear", 12999, 5),
        (&a, "Trail Running Shoes", "footwear", 8999, 0),
        (&b, "Leather Chelsea Boots", "footwear", 15999, 2),
        (&b, "Copper Kettle", "kitchen", 4999, 10),
        (&b, "Cast Iron Skillet", "kitchen", 3999, 1),
    ];
    for (seller, title, category, price, stock) in items {
        app.product(seller, product_body(title, category, price, stock))
            .await;
    }
    app
}

fn titles(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| i["title"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .expect("an items list")
}

async fn list(app: &TestApp, query: &str) -> Value {
    let response = app.get(&format!("/api/v1/products?{query}"), None).await;
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    json(response).await
}

#[tokio::test]
async fn filters_narrow_the_catalog() {
    let app = catalog().await;
    assert_eq!(
        titles(&list(&app, "q=boots&sort=price_asc").await),
        ["Waterproof Hiking Boots", "Leather Chelsea Boots"]
    );
    assert_eq!(
        titles(&list(&app, "q=boot").await).len(),
        2,
        "singular finds plurals"
    );
    assert_eq!(
        titles(&list(&app, "q=kett").await),
        ["Copper Kettle"],
        "prefix of the last word"
    );
    assert_eq!(
        titles(&list(&app, "q=red").await).len(),
        5,
        "attributes are searched"
    );
    assert_eq!(titles(&list(&app, "q=zzzz").await).len(), 0);
    assert_eq!(
        titles(&list(&app, "category=kitchen&sort=price_asc").await),
        ["Cast Iron Skillet", "Copper Kettle"]
    );
    assert_eq!(
        titles(&list(&app, "min_price=5000&max_price=13000&sort=price_desc").await),
        ["Waterproof Hiking Boots", "Trail Running Shoes"]
    );
    assert_eq!(
        titles(&list(&app, "in_stock=false").await),
        ["Trail Running Shoes"]
    );
    assert_eq!(
        titles(&list(&app, "in_stock=true&category=footwear&sort=price_asc").await),
        ["Waterproof Hiking Boots", "Leather Chelsea Boots"]
    );
    let hiking = list(&app, "q=waterproof hiking").await;
    let seller = hiking["items"][0]["seller_id"]
        .as_str()
        .expect("a seller id")
        .to_owned();
    let by_seller = titles(&list(&app, &format!("seller={seller}&sort=price_asc")).await);
    assert_eq!(
        by_seller,
        ["Trail Running Shoes", "Waterproof Hiking Boots"]
    );
    let newest = titles(&list(&app, "sort=newest").await);
    assert_eq!(
        newest.first().map(String::as_str),
        Some("Cast Iron Skillet")
    );
}

#[tokio::test]
async fn cursors_walk_every_product_once() {
    let app = catalog().await;
    for sort in ["relevance", "price_asc", "price_desc", "newest", "rating"] {
        let mut seen = Vec::new();
        let mut query = format!("limit=2&sort={sort}");
        loop {
            let page = list(&app, &query).await;
            seen.extend(titles(&page));
            match page["next_cursor"].as_str() {
                Some(cursor) => query = format!("limit=2&sort={sort}&cursor={cursor}"),
                None => break,
            }
        }
        assert_eq!(seen.len(), 5, "{sort}: {seen:?}");
        assert_eq!(
            seen.iter().collect::<HashSet<_>>().len(),
            5,
            "{sort}: duplicates in {seen:?}"
        );
    }
}

#[tokio::test]
async fn bad_list_parameters_are_refused_with_the_parameter() {
    let app = catalog().await;
    let first = list(&app, "limit=2&sort=price_asc").await;
    let cursor = first["next_cursor"]
        .as_str()
        .expect("a next cursor")
        .to_owned();
    let cases = [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=-1", "limit"),
        ("limit=abc", "limit"),
        ("min_price=-5", "min_price"),
        ("max_price=100000000001", "max_price"),
        ("min_price=1e3", "min_price"),
        ("in_stock=maybe", "in_stock"),
        ("sort=cheapest", "sort"),
        ("category=Not%20A%20Slug", "category"),
        ("seller=nobody", "seller"),
        ("cursor=garbage", "cursor"),
        (
            &format!("limit=2&sort=price_desc&cursor={cursor}"),
            "cursor",
        ),
        (&format!("q={}", "x".repeat(201)), "q"),
    ];
    for (query, field) in cases {
        let response = app.get(&format!("/api/v1/products?{query}"), None).await;
        let problem = assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
        assert_eq!(problem["field"], field, "{query}");
    }
    let unknown = app.get("/api/v1/products?catgory=kitchen", None).await;
    assert_problem(unknown, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    // An empty price range is a valid question with no answer.
    let empty = list(&app, "min_price=10&max_price=5").await;
    assert_eq!(empty["items"], serde_json::json!([]), "{empty}");
}

#[tokio::test]
async fn categories_count_their_active_products() {
    let app = catalog().await;
    let categories = json(app.get("/api/v1/categories", None).await).await;
    let counts: Vec<(String, u64)> = categories["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|c| {
                    (
                        c["slug"].as_str().unwrap_or_default().to_owned(),
                        c["product_count"].as_u64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        counts,
        [("footwear".to_owned(), 3), ("kitchen".to_owned(), 2)]
    );
}
