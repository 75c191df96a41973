//! The `Allow` header of a 405: the methods the OpenAPI document lists for
//! the requested path (and HEAD wherever GET is served), so a client told
//! "method not allowed" learns what is.

use serde_json::Value;

/// Path templates and the methods each serves.
#[derive(Debug, Default)]
pub struct AllowTable(Vec<(Vec<Segment>, String)>);

#[derive(Debug, PartialEq)]
enum Segment {
    Literal(String),
    Param,
}

impl AllowTable {
    /// The document's paths (under `prefix`) and `extra` `(path, methods)`
    /// routes that it does not describe.
    pub fn new(doc: &Value, prefix: &str, extra: &[(&str, &[&str])]) -> Self {
        let mut table = Vec::new();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            let methods: Vec<String> = item
                .as_object()
                .into_iter()
                .flatten()
                .map(|(method, _)| method.to_uppercase())
                .filter(|m| METHODS.contains(&m.as_str()))
                .collect();
            table.push((segments(&format!("{prefix}{path}")), allow(&methods)));
        }
        for (path, methods) in extra {
            let methods: Vec<String> = methods.iter().map(|m| (*m).to_owned()).collect();
            table.push((segments(path), allow(&methods)));
        }
        Self(table)
    }

    /// The `Allow` value for `path`; of several templates that match, the
    /// one with the most literal segments (as the router picks).
    pub fn for_path(&self, path: &str) -> Option<&str> {
        let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        self.0
            .iter()
            .filter(|(template, _)| {
                template.len() == parts.len()
                    && template.iter().zip(&parts).all(|(t, p)| match t {
                        Segment::Literal(l) => l == p,
                        Segment::Param => !p.is_empty(),
                    })
            })
            .max_by_key(|(template, _)| {
                template
                    .iter()
                    .filter(|s| matches!(s, Segment::Literal(_)))
                    .count()
            })
            .map(|(_, allow)| allow.as_str())
    }
}

const METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

fn segments(path: &str) -> Vec<Segment> {
    path.trim_end_matches('/')
        .split('/')
        .map(|s| {
            if s.starts_with('{') && s.ends_with('}') {
                Segment::Param
            } else {
                Segment::Literal(s.to_owned())
            }
        })
        .collect()
}

/// `GET, HEAD, POST`-style, in a fixed order.
fn allow(methods: &[String]) -> String {
    let has = |m: &str| methods.iter().any(|have| have == m);
    METHODS
        .iter()
        .copied()
        .filter(|m| has(m) || *m == "HEAD" && has("GET"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_by_segment_and_prefer_literals() {
        let doc = serde_json::json!({"paths": {
            "/products": {"get": {}, "post": {}},
            "/products/{id}": {"get": {}, "patch": {}, "delete": {}},
            "/users/me": {"patch": {}},
            "/users/{id}": {"get": {}},
        }});
        let table = AllowTable::new(&doc, "/api/v1", &[("/health/live", &["GET"])]);
        assert_eq!(table.for_path("/api/v1/products"), Some("GET, HEAD, POST"));
        assert_eq!(
            table.for_path("/api/v1/products/abc"),
            Some("GET, HEAD, PATCH, DELETE")
        );
        assert_eq!(table.for_path("/api/v1/users/me"), Some("PATCH"));
        assert_eq!(table.for_path("/health/live"), Some("GET, HEAD"));
        assert_eq!(table.for_path("/api/v1/nope"), None);
    }
}
