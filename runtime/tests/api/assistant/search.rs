//! `GET /search` and `GET /products/{id}/similar` over the demo catalog.

use reqwest::StatusCode;

use super::{demo, price, products};
use crate::helpers::{assert_problem, json};

fn titles(items: &[serde_json::Value]) -> Vec<String> {
    items
        .iter()
        .map(|p| p["title"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn search_finds_relevant_products_with_scores() {
    let app = demo();
    let body = json(app.get("/api/v1/search?q=hiking+boots&limit=5", None).await).await;
    let items = products(&body);
    assert_eq!(items.len(), 5, "{body}");
    let found = titles(&items);
    assert!(
        found[..3].iter().all(|t| t.contains("Hiking Boots")),
        "{found:?}"
    );
    let scores: Vec<f64> = body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|i| i["score"].as_f64().expect("a score"))
                .collect()
        })
        .expect("an items list");
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]) && scores[0] > 0.0,
        "{scores:?}"
    );

    // Found by meaning, with no word in common.
    let body = json(
        app.get(
            "/api/v1/search?q=something+to+listen+to+music+on+a+long+flight",
            None,
        )
        .await,
    )
    .await;
    let found = titles(&products(&body));
    assert!(
        found
            .iter()
            .take(3)
            .any(|t| t.contains("Headphones") || t.contains("Earbuds")),
        "{found:?}"
    );
}

#[tokio::test]
async fn search_honours_filters() {
    let app = demo();
    let path = "/api/v1/search?q=boots&category=footwear&min_price=5000&max_price=15000&in_stock=true&limit=20";
    let body = json(app.get(path, None).await).await;
    let items = products(&body);
    assert!(!items.is_empty(), "{body}");
    for item in &items {
        assert_eq!(item["category"], "footwear", "{item}");
        assert!((5000..=15000).contains(&price(item)), "{item}");
        assert_eq!(item["stock"]["in_stock"], true, "{item}");
    }
    let none = json(
        app.get("/api/v1/search?q=boots&category=kitchen&max_price=1", None)
            .await,
    )
    .await;
    assert!(products(&none).is_empty(), "{none}");
}

#[tokio::test]
async fn search_validates_its_parameters() {
    let app = demo();
    for (query, field) in [
        ("", "q"),
        ("q=+++", "q"),
        ("q=boots&limit=0", "limit"),
        ("q=boots&limit=51", "limit"),
        ("q=boots&limit=many", "limit"),
        ("q=boots&min_price=-1", "min_price"),
        ("q=boots&max_price=100000000001", "max_price"),
        ("q=boots&colour=red", "."),
    ] {
        let response = app.get(&format!("/api/v1/search?{query}"), None).await;
        let body = assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
        if field != "." {
            assert_eq!(body["field"], field, "{query}: {body}");
        }
    }
    let long = "a".repeat(201);
    let response = app.get(&format!("/api/v1/search?q={long}"), None).await;
    assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
}

#[tokio::test]
async fn similar_products_exclude_the_product_itself() {
    let app = demo();
    let list = json(app.get("/api/v1/products?q=turntable&limit=1", None).await).await;
    let turntable = list["items"][0].clone();
    let id = turntable["id"].as_str().expect("a product id");
    let body = json(
        app.get(&format!("/api/v1/products/{id}/similar?limit=4"), None)
            .await,
    )
    .await;
    let items = products(&body);
    assert_eq!(items.len(), 4, "{body}");
    assert!(items.iter().all(|p| p["id"] != turntable["id"]), "{body}");
    assert!(
        items.iter().filter(|p| p["category"] == "audio").count() >= 2,
        "{body}"
    );

    let unknown = uuid::Uuid::now_v7();
    let response = app
        .get(&format!("/api/v1/products/{unknown}/similar"), None)
        .await;
    assert_problem(response, StatusCode::NOT_FOUND, "not_found").await;
    let response = app
        .get(&format!("/api/v1/products/{id}/similar?limit=0"), None)
        .await;
    assert_problem(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    let response = app.get("/api/v1/products/not-an-id/similar", None).await;
    assert_problem(response, StatusCode::BAD_REQUEST, "invalid_path").await;
}
