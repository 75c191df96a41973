//! The problem responses operations share, added from what each operation
//! declares rather than repeated on every handler: a request body can be
//! malformed (400), too large (413), not JSON (415) or invalid (422); a
//! parameter can be malformed (400); a secured operation authenticates (401)
//! against the store (503); every `/api` request is rate limited (429) and
//! may fail (500). Every error is `application/problem+json`.

use serde_json::{Map, Value, json};

use super::Settings;

const PROBLEM_JSON: &str = "application/problem+json";
const PROBLEM_REF: &str = "#/components/schemas/Problem";

/// What an operation declares, as far as shared errors go.
#[derive(Default)]
struct Shape {
    /// Requires a bearer token.
    secured: bool,
    /// Accepts one, but works without.
    optional_auth: bool,
    path: bool,
    query: bool,
    body: bool,
}

impl Shape {
    fn of(op: &Value) -> Self {
        let mut shape = Shape::default();
        for requirement in op["security"].as_array().into_iter().flatten() {
            match requirement.as_object() {
                Some(r) if r.is_empty() => shape.optional_auth = true,
                Some(_) => shape.secured = true,
                None => {}
            }
        }
        if shape.optional_auth {
            shape.secured = false;
        }
        // The WebSocket route reads its query (the access token) itself and
        // never refuses it.
        let raw_query = op["operationId"] == "connect";
        for param in op["parameters"].as_array().into_iter().flatten() {
            match param["in"].as_str() {
                Some("path") => shape.path = true,
                Some("query") => shape.query = !raw_query,
                _ => {}
            }
        }
        shape.body = op.get("requestBody").is_some();
        shape
    }

    /// The shared responses, by status, with what causes them.
    fn responses(&self, settings: &Settings) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let mut malformed = Vec::new();
        if self.body {
            malformed.push("`malformed_json` (the body is not JSON), `unreadable_body`");
        }
        if self.query {
            malformed.push(
                "`invalid_parameter` (an unknown, malformed or out-of-range query parameter, named in `field`)",
            );
        }
        if self.path {
            malformed.push("`invalid_path` (a malformed path parameter)");
        }
        if !malformed.is_empty() {
            out.push(("400", malformed.join("; ")));
        }
        if self.secured {
            out.push((
                "401",
                "`missing_token`, `invalid_token`, `token_expired` or `account_disabled`".into(),
            ));
        }
        if self.optional_auth {
            out.push((
                "401",
                "an `Authorization` header was sent and is not valid: `invalid_token`, \
                 `token_expired` or `account_disabled`"
                    .into(),
            ));
        }
        if self.body {
            out.push((
                "413",
                format!(
                    "`payload_too_large`: the body is over {} bytes",
                    settings.body_limit_bytes
                ),
            ));
            out.push((
                "415",
                "`unsupported_media_type`: the body is not sent as `application/json`".into(),
            ));
            out.push((
                "422",
                "`invalid_field`: JSON of the wrong shape or with an invalid value \
                 (`field` is its JSON path)"
                    .into(),
            ));
        }
        out.push((
            "429",
            "`rate_limited`: too many requests from this address or user; retry after \
             `Retry-After` seconds"
                .into(),
        ));
        out.push((
            "500",
            "`internal`: the server failed; details are logged with the request id".into(),
        ));
        if self.secured || self.optional_auth {
            out.push((
                "503",
                "`unavailable`: the store did not answer; nothing was changed".into(),
            ));
        }
        out
    }
}

/// Adds the shared responses to every operation and makes every problem
/// response `application/problem+json`.
pub fn add(doc: &mut Value, settings: &Settings) {
    for (_, _, op) in super::operations(doc) {
        let shape = Shape::of(op);
        let Some(responses) = op
            .as_object_mut()
            .map(|op| op.entry("responses").or_insert_with(|| json!({})))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        for response in responses.values_mut() {
            problem_content(response);
        }
        for (status, cause) in shape.responses(settings) {
            merge(responses, status, &cause);
        }
        for (status, response) in responses.iter_mut() {
            headers(status, response);
        }
    }
}

/// A problem response described as `application/json` becomes
/// `application/problem+json`.
fn problem_content(response: &mut Value) {
    let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) else {
        return;
    };
    let is_problem = content
        .get("application/json")
        .is_some_and(|media| media["schema"]["$ref"] == PROBLEM_REF);
    if is_problem && let Some(media) = content.remove("application/json") {
        content.insert(PROBLEM_JSON.to_owned(), media);
    }
}

/// Adds `cause` to the response for `status`, creating it when the
/// operation did not declare it.
fn merge(responses: &mut Map<String, Value>, status: &str, cause: &str) {
    let response = responses.entry(status).or_insert_with(|| json!({}));
    let own = response["description"].as_str().unwrap_or_default();
    response["description"] = if own.is_empty() {
        json!(cause)
    } else if own.contains(cause) {
        json!(own)
    } else {
        json!(format!("{own}; {cause}"))
    };
    response["content"] = json!({ PROBLEM_JSON: { "schema": { "$ref": PROBLEM_REF } } });
}

/// `Retry-After` on 429 (always) and 503 (when the wait is known).
fn headers(status: &str, response: &mut Value) {
    let required = match status {
        "429" => true,
        "503" => false,
        _ => return,
    };
    response["headers"]["Retry-After"] = json!({
        "description": "Seconds to wait before retrying.",
        "required": required,
        "schema": { "type": "integer", "minimum": 0 },
    });
}
