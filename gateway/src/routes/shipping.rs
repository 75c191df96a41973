//! Choosing a shipping address: a saved one by id, or one given inline.

use serde::Deserialize;
use souk_models::{AddressId, AddressInput, UserId};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    AdditionalProperties, ObjectBuilder, OneOfBuilder, Ref, Schema, Type,
};

use crate::error::ApiError;
use crate::state::AppState;

/// Exactly one of `address_id` (a saved address) or `shipping_address`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShippingChoice {
    pub address_id: Option<AddressId>,
    pub shipping_address: Option<AddressInput>,
}

impl utoipa::PartialSchema for ShippingChoice {
    /// One of two closed objects: the field that is used, and the other one
    /// left out or `null`.
    fn schema() -> RefOr<Schema> {
        let choice = |used: &str, schema: &str, other: &str| {
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .property(used, Ref::from_schema_name(schema))
                .required(used)
                .property(other, ObjectBuilder::new().schema_type(Type::Null))
                .additional_properties(Some(AdditionalProperties::FreeForm(false)))
        };
        OneOfBuilder::new()
            .item(choice("address_id", "AddressId", "shipping_address"))
            .item(choice("shipping_address", "AddressInput", "address_id"))
            .description(Some(
                "Exactly one of `address_id` (a saved address) or `shipping_address`.",
            ))
            .into()
    }
}

impl utoipa::ToSchema for ShippingChoice {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        use utoipa::PartialSchema;
        schemas.push(("AddressId".into(), AddressId::schema()));
        schemas.push(("AddressInput".into(), AddressInput::schema()));
        AddressInput::schemas(schemas);
    }
}

pub async fn resolve_address(
    state: &AppState,
    user: UserId,
    choice: ShippingChoice,
) -> Result<AddressInput, ApiError> {
    match (choice.address_id, choice.shipping_address) {
        (Some(id), None) => state
            .store
            .list_addresses(user)
            .await?
            .into_iter()
            .find(|a| a.id == id)
            .map(|a| a.fields)
            .ok_or_else(|| {
                ApiError::unprocessable("unknown_address", "no saved address with that id")
                    .with_field("address_id")
            }),
        (None, Some(address)) => Ok(address),
        _ => Err(ApiError::unprocessable(
            "address_required",
            "send exactly one of address_id or shipping_address",
        )),
    }
}
