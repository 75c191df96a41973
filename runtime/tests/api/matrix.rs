//! Every endpoint × every role: who is let in, who is refused, and how.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{json, product_body, spawn_app};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Anonymous,
    Customer,
    Seller,
    OtherSeller,
    Admin,
}

const EVERYONE: [Who; 5] = [
    Who::Anonymous,
    Who::Customer,
    Who::Seller,
    Who::OtherSeller,
    Who::Admin,
];

#[tokio::test]
async fn role_by_endpoint_matrix() {
    let app = spawn_app().await;
    app.category("kitchen").await;
    let customer = app.register("c@example.com", "customer").await;
    let seller = app.register("s@example.com", "seller").await;
    let other = app.register("o@example.com", "seller").await;
    let admin = app.admin().await;
    let product = app
        .product(&seller, product_body("Kettle", "kitchen", 100, 1))
        .await;
    let pid = product["id"].as_str().expect("a product id").to_owned();
    let token = |who: Who| match who {
        Who::Anonymous => None,
        Who::Customer => Some(customer.token.clone()),
        Who::Seller => Some(seller.token.clone()),
        Who::OtherSeller => Some(other.token.clone()),
        Who::Admin => Some(admin.token.clone()),
    };
    let address =
        json!({ "name": "A", "line1": "1 St", "city": "X", "postal_code": "1", "country": "GB" });

    // (method, path, body, expected status for each of EVERYONE)
    use StatusCode as S;
    let cases: Vec<(Method, String, Option<Value>, [StatusCode; 5])> = vec![
        (Method::GET, "/api/v1/products".into(), None, [S::OK; 5]),
        (
            Method::GET,
            format!("/api/v1/products/{pid}"),
            None,
            [S::OK; 5],
        ),
        (Method::GET, "/api/v1/categories".into(), None, [S::OK; 5]),
        (
            Method::GET,
            "/api/v1/auth/me".into(),
            None,
            [S::UNAUTHORIZED, S::OK, S::OK, S::OK, S::OK],
        ),
        (
            Method::PATCH,
            "/api/v1/users/me".into(),
            Some(json!({ "display_name": "X" })),
            [S::UNAUTHORIZED, S::OK, S::OK, S::OK, S::OK],
        ),
        (
            Method::GET,
            "/api/v1/users/me/addresses".into(),
            None,
            [S::UNAUTHORIZED, S::OK, S::OK, S::OK, S::OK],
        ),
        (
            Method::POST,
            "/api/v1/users/me/addresses".into(),
            Some(address),
            [
                S::UNAUTHORIZED,
                S::CREATED,
                S::CREATED,
                S::CREATED,
                S::CREATED,
            ],
        ),
        (
            Method::POST,
            "/api/v1/products".into(),
            Some(product_body("New", "kitchen", 100, 1)),
            [
                S::UNAUTHORIZED,
                S::FORBIDDEN,
                S::CREATED,
                S::CREATED,
                S::CREATED,
            ],
        ),
        (
            Method::PATCH,
            format!("/api/v1/products/{pid}"),
            Some(json!({ "title": "Kettle" })),
            [S::UNAUTHORIZED, S::FORBIDDEN, S::OK, S::FORBIDDEN, S::OK],
        ),
        (
            Method::PUT,
            format!("/api/v1/products/{pid}/stock"),
            Some(json!({ "available": 5 })),
            [S::UNAUTHORIZED, S::FORBIDDEN, S::OK, S::FORBIDDEN, S::OK],
        ),
        (
            Method::GET,
            "/api/v1/seller/products".into(),
            None,
            [S::UNAUTHORIZED, S::FORBIDDEN, S::OK, S::OK, S::OK],
        ),
        (
            Method::GET,
            "/api/v1/admin/users".into(),
            None,
            [
                S::UNAUTHORIZED,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::OK,
            ],
        ),
        (
            Method::PATCH,
            format!("/api/v1/admin/users/{}", customer.id),
            Some(json!({ "tier": "plus" })),
            [
                S::UNAUTHORIZED,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::OK,
            ],
        ),
        (
            Method::PUT,
            "/api/v1/admin/categories/garden".into(),
            Some(json!({ "name": "Garden" })),
            [
                S::UNAUTHORIZED,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::OK,
            ],
        ),
        // The seller archives it first; from then on another seller cannot tell
        // it exists, while the admin's archive is an idempotent no-op.
        (
            Method::DELETE,
            format!("/api/v1/products/{pid}"),
            None,
            [
                S::UNAUTHORIZED,
                S::FORBIDDEN,
                S::NO_CONTENT,
                S::NOT_FOUND,
                S::NO_CONTENT,
            ],
        ),
    ];
    for (method, path, body, expected) in cases {
        for (who, want) in EVERYONE.into_iter().zip(expected) {
            let response = app
                .call(method.clone(), &path, token(who).as_deref(), body.clone())
                .await;
            let got = response.status();
            let text = response.text().await.expect("a response body");
            assert_eq!(got, want, "{method} {path} as {who:?}: {text}");
            if !got.is_success() {
                let problem: Value = serde_json::from_str(&text).unwrap_or_default();
                assert!(
                    problem["code"].is_string(),
                    "{method} {path} as {who:?}: {text}"
                );
            }
        }
    }
    // The seller's own listing shows only their products.
    let mine = json(app.get("/api/v1/seller/products", Some(&other.token)).await).await;
    assert!(
        mine["items"]
            .as_array()
            .is_some_and(|items| items.iter().all(|p| p["seller_id"] == other.id.as_str()))
    );
}

#[tokio::test]
async fn admins_manage_users_but_cannot_lock_themselves_out() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let user = app.register("u@example.com", "customer").await;
    let path = format!("/api/v1/admin/users/{}", user.id);
    let promoted = json(
        app.patch(
            &path,
            Some(&admin.token),
            json!({ "role": "seller", "tier": "premium" }),
        )
        .await,
    )
    .await;
    assert_eq!(
        (promoted["role"].as_str(), promoted["tier"].as_str()),
        (Some("seller"), Some("premium"))
    );
    // The new role applies to the user's existing token at once.
    assert_eq!(
        app.get("/api/v1/seller/products", Some(&user.token))
            .await
            .status(),
        StatusCode::OK
    );
    let me = format!("/api/v1/admin/users/{}", admin.id);
    let demote = app
        .patch(&me, Some(&admin.token), json!({ "role": "customer" }))
        .await;
    assert_eq!(demote.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bad_tier = app
        .patch(&path, Some(&admin.token), json!({ "tier": "gold" }))
        .await;
    assert_eq!(bad_tier.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let ghost = format!("/api/v1/admin/users/{}", uuid::Uuid::now_v7());
    assert_eq!(
        app.patch(&ghost, Some(&admin.token), json!({ "tier": "plus" }))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    for i in 0..4 {
        app.register(&format!("p{i}@example.com"), "customer").await;
    }
    let mut seen = 0;
    let mut path = "/api/v1/admin/users?limit=2&role=customer".to_owned();
    loop {
        let page = json(app.get(&path, Some(&admin.token)).await).await;
        let items = page["items"].as_array().cloned().unwrap_or_default();
        assert!(items.iter().all(|u| u["role"] == "customer"));
        seen += items.len();
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/admin/users?limit=2&role=customer&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, 4, "the promoted user is a seller now");
}
