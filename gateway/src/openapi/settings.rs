//! The parts of the document that depend on the settings: the marketplace's
//! one currency, the body limit and the assistant's bounds.

use serde_json::{Value, json};

use crate::AppState;

/// What the document states from configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The marketplace currency (`marketplace.currency`): the only one a
    /// price may be in.
    pub currency: String,
    pub body_limit_bytes: usize,
    /// Longest chat message (`assistant.max_message_chars`).
    pub max_message_chars: usize,
    /// `limit` of search and similar (`assistant.default_limit`, `max_limit`).
    pub default_limit: usize,
    pub max_limit: usize,
}

impl Settings {
    pub fn of(state: &AppState) -> Self {
        let assistant = &state.config.assistant;
        Self {
            currency: state.catalog.currency().code().to_owned(),
            body_limit_bytes: state.config.http.body_limit_bytes,
            max_message_chars: assistant.max_message_chars,
            default_limit: assistant.default_limit,
            max_limit: assistant.max_limit,
        }
    }
}

/// Writes the settings into the document.
pub fn apply(doc: &mut Value, settings: &Settings) {
    let schemas = &mut doc["components"]["schemas"];
    schemas["Currency"] = json!({
        "type": "string",
        "description": "The marketplace's currency (ISO 4217); every price is in it.",
        "enum": [settings.currency],
    });
    if schemas["ChatRequest"]["properties"]["message"].is_object() {
        let mut message =
            serde_json::to_value(souk_models::schema::has_text(1, settings.max_message_chars))
                .unwrap_or_else(|_| json!({ "type": "string" }));
        message["description"] = json!("What the shopper says, not only white space.");
        schemas["ChatRequest"]["properties"]["message"] = message;
    }
    for (path, _, op) in super::operations(doc) {
        if path != "/search" && path != "/products/{id}/similar" {
            continue;
        }
        for param in op["parameters"].as_array_mut().into_iter().flatten() {
            // `schema_with` (the text rule) leaves these to be stated here.
            if param["name"] == "q" && param["in"] == "query" {
                param["required"] = json!(true);
                param["description"] =
                    json!("What to look for: up to 200 characters, not only white space.");
            }
            if param["name"] == "limit" && param["in"] == "query" {
                param["schema"] = json!({
                    "type": "integer",
                    "minimum": 1,
                    "maximum": settings.max_limit,
                    "default": settings.default_limit,
                });
            }
        }
    }
}
