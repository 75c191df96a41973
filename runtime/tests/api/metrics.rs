//! `/metrics`: what an operator's dashboards read. Counters exist from
//! start-up, a purchase moves the business metrics, and `/metrics` can move
//! to a listener of its own.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

async fn scrape(app: &TestApp, base: &str) -> String {
    let response = app
        .client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("the scrape is sent");
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.expect("a metrics body")
}

/// The value of the series written exactly `series` (name and labels).
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|v| v.trim().parse().ok())
}

#[tokio::test]
async fn counters_exist_before_their_first_event() {
    let app = spawn_app().await;
    let text = app.metrics_text().await;
    for series in [
        "souk_checkouts_total{outcome=\"lane_full\",lane=\"standard\"}",
        "souk_actor_restarts_total{kind=\"checkout_lane\"}",
        "souk_order_transitions_total{to=\"expired\"}",
        "souk_rate_limited_total{limit=\"auth\"}",
        "souk_ws_clients_dropped_total{reason=\"slow\"}",
        "souk_revenue_minor_total{currency=\"USD\"}",
        "souk_units_sold_total",
        "souk_carts_started_total",
        concat!(
            "souk_build_info{version=\"",
            env!("CARGO_PKG_VERSION"),
            "\"}"
        ),
    ] {
        assert!(value(&text, series).is_some(), "{series} missing:\n{text}");
    }
    assert!(text.contains("# HELP souk_checkouts_total"), "described");
    // The process collector reads /proc once a second.
    let mut memory = None;
    for _ in 0..30 {
        let text = app.metrics_text().await;
        memory = value(&text, "process_resident_memory_bytes");
        if memory.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(memory.is_some_and(|bytes| bytes > 1e6), "{memory:?}");
}

#[tokio::test]
async fn a_purchase_moves_the_business_metrics() {
    let app = spawn_app().await;
    let before = app.metrics_text().await;
    let (_seller, product) = app.shop("metrics-seller@example.com", 10).await;
    let buyer = app.register("metrics-buyer@example.com", "customer").await;
    let order = app.place_order(&buyer, &product, 3).await;
    let id = order["id"].as_str().expect("an order id").to_owned();
    app.order_action(&buyer, &id, "pay", json!({ "card_token": "tok_visa" }))
        .await;
    let after = app.metrics_text().await;
    // Other tests share the process's recorder: counters only grow by at least ours.
    let grew =
        |series: &str| value(&after, series).unwrap_or(0.0) - value(&before, series).unwrap_or(0.0);
    assert!(grew("souk_carts_started_total") >= 1.0);
    assert!(grew("souk_units_sold_total") >= 3.0);
    assert!(grew("souk_revenue_minor_total{currency=\"USD\"}") >= 7500.0);
    assert!(grew("souk_order_transitions_total{to=\"paid\"}") >= 1.0);
    // The best sellers are this app's own: exactly the kettle.
    assert_eq!(
        value(
            &after,
            "souk_top_product_units_sold{rank=\"1\",product=\"Kettle\"}"
        ),
        Some(3.0),
        "{after}"
    );
    assert!(!after.contains("rank=\"2\""));
}

#[tokio::test]
async fn metrics_are_not_served_on_the_api_listener() {
    let app = spawn_app().await;
    let Some(metrics) = app.metrics_base.clone() else {
        panic!("no metrics listener");
    };
    let text = scrape(&app, &metrics).await;
    assert!(text.contains("souk_build_info"));
    let api = app.get("/metrics", None).await;
    assert_eq!(
        api.status(),
        StatusCode::NOT_FOUND,
        "not on the API listener"
    );
    let health = app.get("/health/live", None).await;
    assert_eq!(health.status(), StatusCode::OK);
}

#[tokio::test]
async fn metrics_on_the_api_listener_require_their_token() {
    const TOKEN: &str = "a-metrics-token-of-32-characters";
    let refused = build_error(&[("SOUK__METRICS__LISTEN", "")]).await;
    assert!(refused.contains("metrics.token"), "{refused}");

    let app = spawn_with(
        &[
            ("SOUK__METRICS__LISTEN", ""),
            ("SOUK__METRICS__TOKEN", TOKEN),
        ],
        None,
    )
    .await;
    assert!(app.metrics_base.is_none());
    for token in [None, Some("a-wrong-token-of-32-characters!!")] {
        assert_problem(
            app.get("/metrics", token).await,
            StatusCode::UNAUTHORIZED,
            "metrics_token",
        )
        .await;
    }
    let scraped = app.get("/metrics", Some(TOKEN)).await;
    assert_eq!(scraped.status(), StatusCode::OK);
    let text = scraped.text().await.expect("a metrics body");
    assert!(text.contains("souk_revenue_minor_total"), "{text}");
}

#[tokio::test]
async fn a_bad_metrics_address_stops_start_up() {
    let error = build_error(&[("SOUK__METRICS__LISTEN", "not an address")]).await;
    assert!(error.contains("metrics.listen"), "{error}");
}
