//! The labelled evaluation: queries over the demo catalog with the products a
//! person reading the catalog would expect (`tests/assistant_eval/queries.json`).
//! Prints recall@5 for the chat and for `GET /search`, and holds the chat to
//! the floor justified in docs/assistant.md.

use std::collections::HashSet;

use serde::Deserialize;

use super::{chat, demo, products};
use crate::helpers::{TestApp, json};

const QUERIES: &str = include_str!("../../assistant_eval/queries.json");
/// See docs/assistant.md, "Evaluation".
const CHAT_RECALL_FLOOR: f64 = 0.85;

#[derive(Deserialize)]
struct Case {
    query: String,
    /// Titles of the products a shopper would expect, any order.
    expected: Vec<String>,
}

fn recall(found: &[String], expected: &[String]) -> f64 {
    let top: HashSet<&String> = found.iter().take(5).collect();
    let hits = expected.iter().filter(|t| top.contains(t)).count();
    hits as f64 / expected.len().min(5) as f64
}

fn titles(body: &serde_json::Value) -> Vec<String> {
    products(body)
        .iter()
        .map(|p| p["title"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn search(app: &TestApp, query: &str) -> Vec<String> {
    let q: String = form_urlencoded(query);
    titles(
        &json(
            app.get(&format!("/api/v1/search?limit=5&q={q}"), None)
                .await,
        )
        .await,
    )
}

fn form_urlencoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn recall_at_5_over_the_labelled_demo_queries() {
    let cases: Vec<Case> = serde_json::from_str(QUERIES).expect("queries.json parses");
    assert!(
        cases.len() >= 40,
        "the evaluation needs at least 40 queries"
    );
    let app = demo();
    let (mut chat_total, mut search_total) = (0.0, 0.0);
    for case in &cases {
        assert!(!case.expected.is_empty(), "{}", case.query);
        let answered = titles(&chat(&app, None, &case.query, None).await);
        let searched = search(&app, &case.query).await;
        let (c, s) = (
            recall(&answered, &case.expected),
            recall(&searched, &case.expected),
        );
        chat_total += c;
        search_total += s;
        if c < 1.0 {
            println!(
                "chat recall@5 {c:.2} for {:?}: got {answered:?}",
                case.query
            );
        }
    }
    let n = cases.len() as f64;
    let (chat_recall, search_recall) = (chat_total / n, search_total / n);
    println!(
        "recall@5 over {} queries: chat {chat_recall:.3}, search {search_recall:.3}",
        cases.len()
    );
    assert!(
        chat_recall >= CHAT_RECALL_FLOOR,
        "chat recall@5 {chat_recall:.3} is under the floor {CHAT_RECALL_FLOOR}"
    );
}
