//! Choosing a shipping address: a saved one by id, or one given inline.

use serde::Deserialize;
use souk_models::{AddressId, AddressInput, UserId};

use crate::error::ApiError;
use crate::state::AppState;

/// Exactly one of `address_id` (a saved address) or `shipping_address`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShippingChoice {
    pub address_id: Option<AddressId>,
    pub shipping_address: Option<AddressInput>,
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
