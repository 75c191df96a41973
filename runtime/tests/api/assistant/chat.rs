//! `POST /assistant/chat`: constraints, follow-ups, cart actions, ownership
//! and bad input.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{ON, chat, demo, price, products};
use crate::helpers::{assert_problem, json, product_body, spawn_with};

fn id_of(body: &Value) -> String {
    body["conversation_id"]
        .as_str()
        .expect("a conversation id")
        .to_owned()
}

/// The answer names every product it returns.
fn names_its_products(body: &Value) {
    let answer = body["answer"].as_str().expect("an answer");
    for product in products(body) {
        let title = product["title"].as_str().expect("a product title");
        assert!(answer.contains(title), "{title} not in: {answer}");
    }
}

async fn customer(app: &crate::helpers::TestApp) -> String {
    let email = format!("{}@example.com", uuid::Uuid::new_v4().simple());
    app.register(&email, "customer").await.token
}

#[tokio::test]
async fn constraints_in_plain_words_become_filters() {
    let app = demo();
    let body = chat(&app, None, "wireless headphones under $400", None).await;
    let found = products(&body);
    assert!(!found.is_empty(), "{body}");
    for product in &found {
        assert!(price(product) <= 40_000, "{product}");
        assert_eq!(product["category"], "audio", "{product}");
    }
    assert!(
        found[0]["title"]
            .as_str()
            .unwrap_or_default()
            .contains("Headphones"),
        "{body}"
    );
    names_its_products(&body);
    assert!(body["actions"].as_array().is_some_and(Vec::is_empty));

    let body = chat(&app, None, "cheap sneakers in stock", None).await;
    let found = products(&body);
    assert!(!found.is_empty(), "{body}");
    assert!(
        found.iter().all(|p| p["stock"]["in_stock"] == true),
        "{body}"
    );
    let prices: Vec<i64> = found.iter().map(price).collect();
    assert!(
        prices.windows(2).all(|w| w[0] <= w[1]),
        "cheap sorts by price: {prices:?}"
    );
}

#[tokio::test]
async fn follow_ups_refine_and_fill_the_cart() {
    let app = demo();
    let token = customer(&app).await;
    let first = chat(&app, Some(&token), "sneakers", None).await;
    let id = id_of(&first);
    let shown = products(&first);
    assert!(shown.len() >= 3, "{first}");
    let cheapest = shown.iter().map(price).min().unwrap_or(0);

    let cheaper = chat(&app, Some(&token), "cheaper ones", Some(&id)).await;
    assert_eq!(id_of(&cheaper), id);
    for product in products(&cheaper) {
        assert!(price(&product) < cheapest, "{product} vs {cheapest}");
    }
    names_its_products(&cheaper);

    let again = chat(&app, Some(&token), "show me sneakers", Some(&id)).await;
    let colour = products(&again)[0]["attributes"]["colour"]
        .as_str()
        .expect("a colour attribute")
        .to_owned();
    let word = colour
        .split_whitespace()
        .last()
        .expect("a colour word")
        .to_lowercase();
    let only = chat(&app, Some(&token), &format!("only {word}"), Some(&id)).await;
    let coloured = products(&only);
    assert!(!coloured.is_empty(), "{only}");
    for product in &coloured {
        let c = product["attributes"]["colour"]
            .as_str()
            .unwrap_or_default()
            .to_lowercase();
        assert!(c.contains(&word), "{product}");
    }

    let second = coloured.get(1).unwrap_or(&coloured[0])["id"].clone();
    let added = chat(
        &app,
        Some(&token),
        "add the second one to my cart",
        Some(&id),
    )
    .await;
    assert_eq!(added["actions"][0]["status"], "added", "{added}");
    assert_eq!(added["actions"][0]["product_id"], second, "{added}");
    names_its_products(&added);
    let two = chat(&app, Some(&token), "add 2 of those", Some(&id)).await;
    assert_eq!(two["actions"][0]["quantity"], 2, "{two}");
    assert_eq!(two["actions"][0]["status"], "added", "{two}");

    let cart = json(app.get("/api/v1/cart", Some(&token)).await).await;
    let line = cart["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["product_id"] == second))
        .cloned();
    assert_eq!(
        line.map(|l| l["quantity"].clone()),
        Some(json!(3)),
        "{cart}"
    );
}

#[tokio::test]
async fn anonymous_shoppers_are_asked_to_log_in() {
    let app = demo();
    let first = chat(&app, None, "a chess set", None).await;
    let id = id_of(&first);
    assert!(!products(&first).is_empty(), "{first}");
    let add = chat(&app, None, "add the first one to my cart", Some(&id)).await;
    assert_eq!(add["actions"][0]["status"], "login_required", "{add}");
    assert!(
        add["answer"]
            .as_str()
            .unwrap_or_default()
            .contains("log in"),
        "{add}"
    );
    names_its_products(&add);
    let nothing_yet = chat(&app, None, "add it to my cart", None).await;
    assert!(products(&nothing_yet).is_empty(), "{nothing_yet}");
}

#[tokio::test]
async fn no_match_and_other_languages_get_a_plain_answer() {
    let app = demo();
    for message in [
        "¿Dónde puedo comprar un billete de tren a Madrid?",
        "xqzzv plorkt wibble",
        "hiking boots under $1",
    ] {
        let body = chat(&app, None, message, None).await;
        assert!(products(&body).is_empty(), "{message}: {body}");
        let answer = body["answer"].as_str().unwrap_or_default();
        assert!(answer.starts_with("Sorry, nothing"), "{message}: {answer}");
    }
}

#[tokio::test]
async fn bad_input_and_other_peoples_conversations_are_refused() {
    let app = demo();
    let path = "/api/v1/assistant/chat";
    for body in [
        json!({ "message": "" }),
        json!({ "message": "   " }),
        json!({ "message": "a".repeat(501) }),
    ] {
        let response = app.post(path, None, body).await;
        let problem =
            assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
        assert_eq!(problem["field"], "message");
    }
    let response = app
        .post(path, None, json!({ "message": "hi", "mood": "happy" }))
        .await;
    assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
    let response = app
        .post(
            path,
            None,
            json!({ "message": "hi", "conversation_id": "nope" }),
        )
        .await;
    assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field").await;
    let response = app
        .raw(reqwest::Method::POST, path, None, "application/json", "{")
        .await;
    assert_problem(response, StatusCode::BAD_REQUEST, "malformed_json").await;

    let unknown = uuid::Uuid::new_v4().to_string();
    let response = app
        .post(
            path,
            None,
            json!({ "message": "tea", "conversation_id": unknown }),
        )
        .await;
    assert_problem(response, StatusCode::NOT_FOUND, "conversation_not_found").await;

    let (alice, bob) = (customer(&app).await, customer(&app).await);
    let mine = id_of(&chat(&app, Some(&alice), "green tea", None).await);
    for token in [Some(bob.as_str()), None] {
        let response = app
            .post(
                path,
                token,
                json!({ "message": "cheaper ones", "conversation_id": mine }),
            )
            .await;
        assert_problem(response, StatusCode::NOT_FOUND, "conversation_not_found").await;
    }
    chat(&app, Some(&alice), "cheaper ones", Some(&mine)).await;
    let response = app
        .post(path, Some("not-a-token"), json!({ "message": "tea" }))
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn conversations_are_bounded_in_length() {
    let app = spawn_with(&[ON, ("SOUK__ASSISTANT__MAX_TURNS", "2")], None).await;
    app.category("kitchen").await;
    let seller = app.register("s@example.com", "seller").await;
    app.product(&seller, product_body("Copper Kettle", "kitchen", 4999, 5))
        .await;
    let id = id_of(&chat(&app, None, "kettle", None).await);
    chat(&app, None, "cheaper ones", Some(&id)).await;
    let response = app
        .post(
            "/api/v1/assistant/chat",
            None,
            json!({ "message": "kettle", "conversation_id": id }),
        )
        .await;
    assert_problem(response, StatusCode::CONFLICT, "conversation_full").await;
    app.stop().await;
}
