//! The signed-in user's profile and saved addresses.

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use souk_models::{Address, AddressId, AddressInput, DisplayName, Email, Logins, Password};
use time::OffsetDateTime;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AuthUser, LoginFamily, password};
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use crate::views::UserView;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(update_me))
        .routes(routes!(list_addresses, add_address))
        .routes(routes!(delete_address))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMe {
    display_name: Option<DisplayName>,
    /// Needs `current_password`.
    email: Option<Email>,
    /// Needs `current_password`.
    password: Option<Password>,
    current_password: Option<String>,
}

/// Changes the signed-in user's name, email or password. A new email is
/// unverified until the link mailed to it is opened (when
/// `auth.verify_email`); a new password ends every other login.
#[utoipa::path(patch, path = "/users/me", tag = "users", security(("bearer" = [])), request_body = UpdateMe,
    responses((status = 200, body = UserView),
        (status = 403, body = Problem, description = "`wrong_password`: `current_password` is incorrect"),
        (status = 409, body = Problem, description = "`email_taken`"),
        (status = 422, body = Problem, description = "`current_password_required`: changing email or password needs it")))]
async fn update_me(
    State(state): State<AppState>,
    AuthUser(mut user): AuthUser,
    Extension(LoginFamily(login)): Extension<LoginFamily>,
    ApiJson(req): ApiJson<UpdateMe>,
) -> Result<Json<UserView>, ApiError> {
    if req.email.is_some() || req.password.is_some() {
        let current = req.current_password.ok_or_else(|| {
            ApiError::unprocessable(
                "current_password_required",
                "changing email or password needs current_password",
            )
            .with_field("current_password")
        })?;
        if !password::verify(current, user.password_hash.clone()).await? {
            return Err(ApiError::forbidden(
                "wrong_password",
                "current_password is incorrect",
            ));
        }
    }
    if let Some(name) = req.display_name {
        user.display_name = name;
    }
    let now = OffsetDateTime::now_utc();
    let mut new_address = false;
    if let Some(email) = req.email.filter(|e| *e != user.email) {
        user.email = email;
        new_address = state.config.auth.verify_email;
        user.email_verified = !new_address;
    }
    if let Some(new_password) = req.password {
        user.password_hash = password::hash(new_password.expose().to_owned()).await?;
        // Every other login ends; this one goes on.
        user.logins = Some(Logins {
            after: now,
            kept: login,
        });
    }
    user.updated_at = now;
    state
        .store
        .update_user(&user)
        .await
        .map_err(ApiError::email_taken)?;
    if new_address {
        super::account::send_verification(&state, &user).await?;
    }
    Ok(Json((&user).into()))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AddressList {
    items: Vec<Address>,
}

/// The signed-in user's saved addresses, oldest first.
#[utoipa::path(get, path = "/users/me/addresses", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = AddressList)))]
async fn list_addresses(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<AddressList>, ApiError> {
    let items = state.store.list_addresses(user.0.id).await?;
    Ok(Json(AddressList { items }))
}

/// Saves a shipping address.
#[utoipa::path(post, path = "/users/me/addresses", tag = "users", security(("bearer" = [])),
    request_body = AddressInput,
    responses((status = 201, body = Address),
        (status = 409, body = Problem, description = "`limit_reached`: the user has the most addresses allowed")))]
async fn add_address(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(fields): ApiJson<AddressInput>,
) -> Result<(StatusCode, Json<Address>), ApiError> {
    let address = Address {
        id: AddressId::new(),
        user_id: user.0.id,
        fields,
        created_at: OffsetDateTime::now_utc(),
    };
    let max = state.config.http.max_addresses_per_user;
    state.store.add_address(&address, max).await?;
    Ok((StatusCode::CREATED, Json(address)))
}

/// Deletes one of the signed-in user's addresses.
#[utoipa::path(delete, path = "/users/me/addresses/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "address id")),
    responses((status = 204, description = "deleted"),
        (status = 404, body = Problem, description = "`not_found`: no such address of the caller's")))]
async fn delete_address(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<AddressId>,
) -> Result<StatusCode, ApiError> {
    if state.store.delete_address(user.0.id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("address"))
    }
}
