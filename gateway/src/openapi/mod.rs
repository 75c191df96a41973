//! The OpenAPI 3.1 document: generated from the route annotations, then
//! completed with what every operation shares ([`problems`]) and what only the
//! settings know ([`settings`]).

mod links;
mod problems;
mod settings;

use serde_json::{Value, json};
use utoipa::openapi::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{InfoBuilder, ServerBuilder};

pub use settings::Settings;

const DESCRIPTION: &str = "\
Errors are `application/problem+json` (RFC 9457) with a stable `code` and the \
request id; every operation lists the statuses it can answer. Rate limits \
apply to every `/api` request (429 with `Retry-After`). Interactive \
documentation: `/api/v1/docs`.";

/// The finished document, as served at `/api/v1/openapi.json`.
pub fn finish(mut spec: OpenApi, settings: &Settings) -> Value {
    spec.info = InfoBuilder::new()
        .title("souk marketplace API")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(DESCRIPTION))
        .build();
    spec.servers = Some(vec![ServerBuilder::new().url("/api/v1").build()]);
    let components = spec.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .build(),
        ),
    );
    let mut doc = serde_json::to_value(&spec).unwrap_or_else(|_| json!({}));
    problems::add(&mut doc, settings);
    links::add(&mut doc);
    settings::apply(&mut doc, settings);
    open_closed_parts(&mut doc);
    cross_field_rules(&mut doc);
    doc
}

/// Rules between fields that JSON Schema states and the derive cannot.
fn cross_field_rules(doc: &mut Value) {
    // Changing the email or password needs the current password (422
    // `current_password_required` otherwise).
    let needs_current = |field: &str| {
        json!({
            "if": { "required": [field], "properties": { field: { "type": "string" } } },
            "then": {
                "required": ["current_password"],
                "properties": { "current_password": { "type": "string" } },
            },
        })
    };
    let update_me = &mut doc["components"]["schemas"]["UpdateMe"];
    if update_me.is_object() {
        update_me["allOf"] = json!([needs_current("email"), needs_current("password")]);
    }
}

/// Every operation of the document: `(path, method, operation)`.
fn operations(doc: &mut Value) -> impl Iterator<Item = (String, String, &mut Value)> {
    doc.get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|paths| paths.iter_mut())
        .flat_map(|(path, item)| {
            item.as_object_mut()
                .into_iter()
                .flat_map(|methods| methods.iter_mut())
                .filter(|(method, _)| METHODS.contains(&method.as_str()))
                .map(move |(method, op)| (path.clone(), method.clone(), op))
        })
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Where a request body's closed schema (unknown properties refused) is
/// merged into a response with more properties: a saved address, and an
/// order's `address_changed` timeline entry.
fn open_closed_parts(doc: &mut Value) {
    let schemas = doc["components"]["schemas"].clone();
    let address = merge_all_of(&schemas["Address"], &schemas);
    if let Some(address) = address {
        doc["components"]["schemas"]["Address"] = address;
    }
    let kinds = &mut doc["components"]["schemas"]["TimelineKind"]["oneOf"];
    for variant in kinds.as_array_mut().into_iter().flatten() {
        if let Some(merged) = merge_all_of(variant, &schemas) {
            *variant = merged;
        }
    }
}

/// `allOf: [{$ref: X}, {own properties}]` as one object with X's properties
/// and its own, without X's `additionalProperties: false`.
fn merge_all_of(schema: &Value, schemas: &Value) -> Option<Value> {
    let parts = schema["allOf"].as_array()?;
    let mut properties = serde_json::Map::new();
    let mut required = Vec::new();
    for part in parts {
        let part = match part["$ref"].as_str() {
            Some(reference) => &schemas[reference.rsplit('/').next().unwrap_or_default()],
            None => part,
        };
        if let Some(own) = part["properties"].as_object() {
            properties.extend(own.clone());
        }
        if let Some(own) = part["required"].as_array() {
            required.extend(own.iter().cloned());
        }
    }
    let mut merged = json!({
        "type": "object",
        "required": required,
        "properties": properties,
    });
    if let Some(description) = schema.get("description") {
        merged["description"] = description.clone();
    }
    Some(merged)
}
