//! Arrays only where the document has them. serde's derived structs also
//! read an array of their fields in order (`["3f2c…", 2]` for
//! `{"product_id": "3f2c…", "quantity": 2}`), which the OpenAPI document
//! does not allow: a body with an array is checked against the type's own
//! schema, and an array where it describes none is a 422.

use std::collections::HashMap;

use serde_json::Value;
use utoipa::ToSchema;

use crate::error::ApiError;

/// Refuses an array anywhere `T`'s schema does not describe one. Costs
/// nothing for bodies without `[`.
pub fn arrays_where_documented<T: ToSchema>(bytes: &[u8]) -> Result<(), ApiError> {
    if !bytes.contains(&b'[') {
        return Ok(());
    }
    let Ok(value) = serde_json::from_slice::<Value>(bytes) else {
        return Ok(());
    };
    let mut named = Vec::new();
    T::schemas(&mut named);
    let components: HashMap<String, Value> = named
        .into_iter()
        .filter_map(|(name, schema)| Some((name, serde_json::to_value(schema).ok()?)))
        .collect();
    let root = serde_json::to_value(T::schema()).unwrap_or(Value::Null);
    let shapes = Shapes { components };
    match shapes.misplaced_array(&value, &root, "") {
        None => Ok(()),
        Some(path) => {
            let error = ApiError::unprocessable(
                "invalid_field",
                "an array where the document describes an object or a value",
            );
            Err(if path.is_empty() {
                error
            } else {
                error.with_field(path)
            })
        }
    }
}

struct Shapes {
    components: HashMap<String, Value>,
}

impl Shapes {
    /// The path of the first array that `schema` does not allow, if any.
    fn misplaced_array(&self, value: &Value, schema: &Value, path: &str) -> Option<String> {
        if let Some(reference) = schema["$ref"].as_str() {
            let name = reference.rsplit('/').next().unwrap_or_default();
            return match self.components.get(name) {
                Some(schema) => self.misplaced_array(value, schema, path),
                None => None,
            };
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(branches) = schema[key].as_array() {
                // Allowed when one branch allows it.
                let mut first = None;
                for branch in branches {
                    match self.misplaced_array(value, branch, path) {
                        None => return None,
                        Some(found) => {
                            first.get_or_insert(found);
                        }
                    }
                }
                return first;
            }
        }
        if let Some(parts) = schema["allOf"].as_array() {
            return parts
                .iter()
                .find_map(|part| self.misplaced_array(value, part, path));
        }
        match value {
            Value::Array(items) => {
                if !allows_array(schema) {
                    return Some(path.to_owned());
                }
                items.iter().enumerate().find_map(|(i, item)| {
                    self.misplaced_array(item, &schema["items"], &format!("{path}[{i}]"))
                })
            }
            Value::Object(fields) => fields.iter().find_map(|(key, field)| {
                let inner = match &schema["properties"][key] {
                    Value::Null => &schema["additionalProperties"],
                    known => known,
                };
                let path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                self.misplaced_array(field, inner, &path)
            }),
            _ => None,
        }
    }
}

/// Whether `schema` lets a value be an array: it says so, or says nothing
/// about its type.
fn allows_array(schema: &Value) -> bool {
    match &schema["type"] {
        Value::String(t) => t == "array",
        Value::Array(types) => types.iter().any(|t| t == "array"),
        // Without a type, only properties say "an object".
        _ => schema.get("properties").is_none() && schema.get("additionalProperties").is_none(),
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Deserialize, utoipa::ToSchema)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        tags: Vec<String>,
        inner: Option<Inner>,
    }

    #[derive(Deserialize, utoipa::ToSchema)]
    #[allow(dead_code)]
    struct Inner {
        amount: i64,
    }

    fn check(json: &str) -> Result<(), Option<String>> {
        arrays_where_documented::<Body>(json.as_bytes()).map_err(|e| e.field)
    }

    #[test]
    fn arrays_are_refused_where_an_object_is_documented() {
        assert_eq!(
            check(r#"{"name":"a","tags":["x"],"inner":{"amount":1}}"#),
            Ok(())
        );
        assert_eq!(check(r#"{"name":"a","tags":[],"inner":null}"#), Ok(()));
        assert_eq!(check(r#"["a",[],null]"#), Err(None));
        assert_eq!(
            check(r#"{"name":"a","tags":[],"inner":[1]}"#),
            Err(Some("inner".into()))
        );
        assert_eq!(
            check(r#"{"name":["a"],"tags":[]}"#),
            Err(Some("name".into()))
        );
        assert_eq!(
            check(r#"{"name":"a","tags":[["x"]]}"#),
            Err(Some("tags[0]".into()))
        );
    }
}
