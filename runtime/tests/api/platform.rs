//! Cross-cutting behaviour: health, metrics, request ids, headers, OpenAPI,
//! unknown routes, compression.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{assert_problem, json, spawn_app};

#[tokio::test]
async fn health_and_metrics() {
    let app = spawn_app().await;
    assert_eq!(
        json(app.get("/health/live", None).await).await["status"],
        "ok"
    );
    assert_eq!(
        json(app.get("/health/ready", None).await).await["status"],
        "ready"
    );
    app.get("/api/v1/products?limit=1", None).await;
    let metrics = app.metrics_text().await;
    assert!(metrics.contains("souk_http_requests_total"), "{metrics}");
    assert!(
        metrics.contains("route=\"/api/v1/products\""),
        "route templates label requests"
    );
    assert!(metrics.contains("souk_http_request_duration_seconds_bucket"));
    assert!(metrics.contains("souk_store_commit_seconds"));
}

#[tokio::test]
async fn request_ids_are_echoed_or_generated_and_land_in_problems() {
    let app = spawn_app().await;
    let echoed = app
        .client
        .get(app.url("/api/v1/auth/me"))
        .header("x-request-id", "trace-123")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(echoed.headers()["x-request-id"], "trace-123");
    let problem = json(echoed).await;
    assert_eq!(problem["request_id"], "trace-123");
    let hostile = app
        .client
        .get(app.url("/health/live"))
        .header("x-request-id", "<script>")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let generated = hostile.headers()["x-request-id"]
        .to_str()
        .unwrap_or("")
        .to_owned();
    assert!(uuid::Uuid::parse_str(&generated).is_ok(), "{generated}");
}

#[tokio::test]
async fn security_headers_and_compression() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let headers = response.headers();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(headers.contains_key("content-security-policy"));
    assert_eq!(headers["content-encoding"], "gzip");
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems() {
    let app = spawn_app().await;
    assert_problem(
        app.get("/api/v1/nope", None).await,
        StatusCode::NOT_FOUND,
        "no_route",
    )
    .await;
    assert_problem(
        app.delete("/api/v1/categories", None).await,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    )
    .await;
}

/// Every operation in the document is served, and every served route is documented.
#[tokio::test]
async fn openapi_document_matches_the_routes() {
    let app = spawn_app().await;
    let spec = json(app.get("/api/v1/openapi.json", None).await).await;
    assert!(
        spec["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        spec["openapi"]
    );
    let paths = spec["paths"].as_object().cloned().unwrap_or_default();
    let mut operations = Vec::new();
    for (path, item) in &paths {
        for method in item
            .as_object()
            .map(|m| m.keys().cloned().collect::<Vec<_>>())
            .unwrap_or_default()
        {
            operations.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    operations.sort();
    let expected = [
        "DELETE /cart",
        "DELETE /cart/items/{product_id}",
        "DELETE /products/{id}",
        "DELETE /users/me/addresses/{id}",
        "GET /admin/cluster",
        "GET /admin/orders",
        "GET /admin/outbox",
        "GET /admin/users",
        "GET /auth/me",
        "GET /cart",
        "GET /categories",
        "GET /checkout/{ticket}",
        "GET /memberships/me",
        "GET /orders",
        "GET /orders/{id}",
        "GET /products",
        "GET /products/{id}",
        "GET /products/{id}/similar",
        "GET /search",
        "GET /seller/orders",
        "GET /seller/products",
        "GET /seller/shipping",
        "GET /users/me/addresses",
        "GET /users/me/notifications",
        "GET /ws",
        "PATCH /admin/users/{id}",
        "PATCH /cart/items/{product_id}",
        "PATCH /orders/{id}/address",
        "PATCH /products/{id}",
        "PATCH /users/me",
        "POST /admin/outbox/{id}/retry",
        "POST /assistant/chat",
        "POST /auth/email/resend",
        "POST /auth/email/verify",
        "POST /auth/login",
        "POST /auth/logout",
        "POST /auth/password/forgot",
        "POST /auth/password/reset",
        "POST /auth/refresh",
        "POST /auth/register",
        "POST /cart/items",
        "POST /checkout",
        "POST /memberships",
        "POST /memberships/me/cancel",
        "POST /orders/{id}/cancel",
        "POST /orders/{id}/deliver",
        "POST /orders/{id}/pay",
        "POST /orders/{id}/refund",
        "POST /orders/{id}/refunds",
        "POST /orders/{id}/returns",
        "POST /orders/{id}/returns/{return_id}/approve",
        "POST /orders/{id}/returns/{return_id}/reject",
        "POST /orders/{id}/ship",
        "POST /products",
        "POST /users/me/addresses",
        "POST /users/me/notifications/read",
        "POST /webhooks/stripe",
        "PUT /admin/categories/{slug}",
        "PUT /products/{id}/stock",
        "PUT /seller/shipping",
    ];
    assert_eq!(operations, expected);
    for op in &operations {
        let (method, path) = op.split_once(' ').unwrap_or_default();
        let id = uuid::Uuid::now_v7().to_string();
        let concrete = path
            .replace("{id}", &id)
            .replace("{product_id}", &id)
            .replace("{ticket}", &id)
            .replace("{return_id}", &id)
            .replace("{slug}", "some-slug");
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let response = app
            .call(method, &format!("/api/v1{concrete}"), None, None)
            .await;
        let body: Value =
            serde_json::from_str(&response.text().await.unwrap_or_default()).unwrap_or_default();
        assert_ne!(
            body["code"], "no_route",
            "{op} is documented but not served"
        );
        assert_ne!(
            body["code"], "method_not_allowed",
            "{op} is documented but not served"
        );
    }
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object());
    assert!(spec["components"]["schemas"]["Problem"].is_object());
}

/// Every operation of the document, as `(label, operation)`.
fn operations(spec: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item") {
            out.push((format!("{} {path}", method.to_uppercase()), op.clone()));
        }
    }
    out
}

/// The document is exact about identifiers and complete in its references.
#[tokio::test]
async fn openapi_ids_are_uuids_and_every_reference_resolves() {
    let app = spawn_app().await;
    let spec = json(app.get("/api/v1/openapi.json", None).await).await;
    let text = spec.to_string();
    let schemas = spec["components"]["schemas"].as_object().expect("schemas");
    for reference in text.split("\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap_or_default();
        assert!(schemas.contains_key(name), "dangling $ref {name}");
    }
    for (label, op) in operations(&spec) {
        for param in op["parameters"].as_array().into_iter().flatten() {
            let name = param["name"].as_str().unwrap_or_default();
            if param["in"] == "path" && name != "slug" {
                assert_eq!(param["schema"]["format"], "uuid", "{label} {name}");
            }
        }
    }
    let list = operations(&spec)
        .into_iter()
        .find(|(label, _)| label == "GET /products")
        .expect("GET /products")
        .1;
    let param = |name: &str| {
        list["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["name"] == name)
            .map(|p| p["schema"].clone())
            .unwrap_or_default()
    };
    assert_eq!(param("limit")["minimum"], 1);
    assert_eq!(param("limit")["maximum"], 100);
    assert_eq!(param("min_price")["minimum"], 0);
    assert!(
        param("sort")["enum"]
            .as_array()
            .is_some_and(|e| e.len() == 5)
    );
    assert_eq!(schemas["Currency"]["enum"], serde_json::json!(["USD"]));
    let quantity = &schemas["Quantity"];
    assert_eq!(
        (quantity["minimum"].clone(), quantity["maximum"].clone()),
        (1.into(), 999.into())
    );
}

/// Every operation lists the problems it can answer, as problem+json.
#[tokio::test]
async fn openapi_operations_document_their_problems() {
    let app = spawn_app().await;
    let spec = json(app.get("/api/v1/openapi.json", None).await).await;
    for (label, op) in operations(&spec) {
        let responses = op["responses"].as_object().expect("responses");
        for (status, response) in responses {
            if status.starts_with('4') || status.starts_with('5') {
                assert!(
                    response["content"]["application/problem+json"].is_object(),
                    "{label} {status} is not problem+json"
                );
            }
        }
        for status in ["429", "500"] {
            assert!(responses.contains_key(status), "{label} lacks {status}");
        }
        assert_eq!(responses["429"]["headers"]["Retry-After"]["required"], true);
        let secured = op["security"]
            .as_array()
            .is_some_and(|s| s.iter().any(|r| r["bearer"].is_array()));
        if secured {
            assert!(responses.contains_key("401"), "{label} lacks 401");
        }
        if op.get("requestBody").is_some() {
            for status in ["400", "413", "415", "422"] {
                assert!(responses.contains_key(status), "{label} lacks {status}");
            }
        }
    }
    let archive = &spec["paths"]["/products/{id}"]["delete"];
    assert!(
        archive["summary"]
            .as_str()
            .is_some_and(|d| d.contains("status change")),
        "{archive}"
    );
    assert!(
        archive["description"]
            .as_str()
            .is_some_and(|d| d.contains("still read it")),
        "{archive}"
    );
}

/// The interactive documentation is served by the binary itself, under a
/// policy that lets it run only this server's script.
#[tokio::test]
async fn api_docs_page_is_served_offline() {
    let app = spawn_app().await;
    let page = app.get("/api/v1/docs", None).await;
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .expect("a CSP")
        .to_owned();
    assert!(
        page.headers()["content-type"]
            .to_str()
            .is_ok_and(|t| t.starts_with("text/html"))
    );
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(csp.contains("connect-src 'self'"), "{csp}");
    assert!(
        !csp.contains("http") && !csp.contains("unsafe-eval"),
        "{csp}"
    );
    let html = page.text().await.expect("the page");
    assert!(html.contains("/api/v1/openapi.json"), "{html}");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "{html}"
    );
    let viewer = app.get("/api/v1/docs/rapidoc-min.js", None).await;
    assert_eq!(viewer.status(), StatusCode::OK);
    assert!(
        viewer.headers()["content-type"]
            .to_str()
            .is_ok_and(|t| t.starts_with("text/javascript"))
    );
    assert!(viewer.bytes().await.expect("the viewer").len() > 100_000);
}

/// A 405 says which methods the path serves.
#[tokio::test]
async fn method_not_allowed_lists_the_allowed_methods() {
    let app = spawn_app().await;
    let response = app.delete("/api/v1/categories", None).await;
    assert_eq!(response.headers()["allow"], "GET, HEAD");
    let id = uuid::Uuid::now_v7();
    let response = app
        .put(
            &format!("/api/v1/products/{id}"),
            None,
            serde_json::json!({}),
        )
        .await;
    assert_eq!(response.headers()["allow"], "GET, HEAD, PATCH, DELETE");
}

#[tokio::test]
async fn cors_allows_only_configured_origins() {
    let app = crate::helpers::spawn_with(
        &[(
            "SOUK__HTTP__CORS_ALLOWED_ORIGINS",
            "[\"https://shop.example.com\"]",
        )],
        None,
    )
    .await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/api/v1/products"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
            .send()
    };
    let allowed = preflight("https://shop.example.com")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://shop.example.com"
    );
    assert_eq!(
        allowed.headers()["access-control-allow-credentials"],
        "true"
    );
    let other = preflight("https://evil.example")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!other.headers().contains_key("access-control-allow-origin"));
}
