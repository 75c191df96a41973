//! Rate limits across nodes: counted in Redis, so requests spread over the
//! nodes count against one limit.

use reqwest::StatusCode;

use super::{node_with, services};
use crate::helpers::{PASSWORD, assert_problem};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_limit_holds_across_nodes() {
    let Some((database, redis)) = services().await else {
        return;
    };
    let limits = [
        ("SOUK__RATE_LIMIT__ENABLED", "true"),
        ("SOUK__RATE_LIMIT__AUTH__BURST", "4"),
        ("SOUK__RATE_LIMIT__AUTH__PER_SECOND", "0.01"),
    ];
    let a = node_with(&database, &redis, "node-a", true, &limits).await;
    let b = node_with(&database, &redis, "node-b", false, &limits).await;
    // Four attempts, alternating nodes: each node alone would allow four.
    for (i, node) in [&a, &b, &a, &b].into_iter().enumerate() {
        let attempt = node.login("victim@example.com", PASSWORD).await;
        assert_eq!(attempt.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
        assert_eq!(
            attempt.headers()["ratelimit-remaining"],
            (3 - i).to_string().as_str()
        );
    }
    for node in [&a, &b] {
        let refused = node.login("victim@example.com", PASSWORD).await;
        assert!(refused.headers().contains_key("retry-after"));
        assert_problem(refused, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    }
    // Browsing has its own limit, shared too but far from reached.
    let browse = b.get("/api/v1/categories", None).await;
    assert_eq!(browse.status(), StatusCode::OK);
    b.stop().await;
    a.stop().await;
}
