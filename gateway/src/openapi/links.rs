//! OpenAPI links: which operations take an id that an answer just gave, so
//! a client (or a stateful fuzzer) can follow from a created order, product
//! or address to what can be done with it.

use serde_json::{Value, json};

/// `(from operation, status, parameter, value, to operations)`.
const LINKS: &[(&str, &str, &str, &str, &[&str])] = &[
    (
        "create_product",
        "201",
        "id",
        "$response.body#/id",
        &[
            "get_product",
            "update_product",
            "archive_product",
            "set_stock",
            "similar",
        ],
    ),
    (
        "checkout",
        "201",
        "id",
        "$response.body#/id",
        &[
            "get_order",
            "pay",
            "cancel",
            "change_address",
            "ship",
            "deliver",
            "refund",
        ],
    ),
    (
        "checkout",
        "202",
        "ticket",
        "$response.body#/ticket",
        &["ticket"],
    ),
    (
        "ticket",
        "200",
        "id",
        "$response.body#/order_id",
        &["get_order", "pay", "cancel"],
    ),
    (
        "add_address",
        "201",
        "id",
        "$response.body#/id",
        &["delete_address"],
    ),
    (
        "add_item",
        "200",
        "product_id",
        "$request.body#/product_id",
        &["update_item", "remove_item"],
    ),
    (
        "list_products",
        "200",
        "id",
        "$response.body#/items/0/id",
        &["get_product", "similar"],
    ),
    (
        "list_users",
        "200",
        "id",
        "$response.body#/items/0/id",
        &["update_user"],
    ),
];

/// Adds [`LINKS`] to the responses they start from.
pub fn add(doc: &mut Value) {
    for (_, _, op) in super::operations(doc) {
        let Some(id) = op["operationId"].as_str().map(str::to_owned) else {
            continue;
        };
        for (from, status, parameter, value, targets) in LINKS {
            if *from != id || !op["responses"][*status].is_object() {
                continue;
            }
            for target in *targets {
                op["responses"][*status]["links"][link_name(target)] = json!({
                    "operationId": target,
                    "parameters": { *parameter: value },
                });
            }
        }
    }
}

/// `get_order` → `GetOrder`.
fn link_name(operation: &str) -> String {
    operation
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}
