//! Administration: accounts and categories.

use axum::Json;
use axum::extract::State;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde::Deserialize;
use souk_models::{BoundedText, Category, CategorySlug, Role, Tier, UserId};
use time::OffsetDateTime;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::cluster::ClusterReport;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use crate::views::{Page, UserView};

const ADMIN_ONLY: &str = "`forbidden_role`: not an admin";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users))
        .routes(routes!(update_user))
        .routes(routes!(put_category))
        .routes(routes!(cluster))
}

/// The nodes of the cluster: each one's address, load and the work placed
/// on it. Without `cluster.enabled`, `enabled` is false and the list empty.
#[utoipa::path(get, path = "/admin/cluster", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = ClusterReport), (status = 403, body = Problem, description = ADMIN_ONLY),
        (status = 503, body = Problem, description = "`unavailable`: Redis cannot list the nodes now (Retry-After)")))]
async fn cluster(
    State(state): State<AppState>,
    admin: AuthUser,
) -> Result<Json<ClusterReport>, ApiError> {
    admin.require(&[Role::Admin])?;
    let Some(cluster) = &state.cluster else {
        return Ok(Json(ClusterReport {
            enabled: false,
            node_id: None,
            redis: None,
            coordinating: None,
            nodes: Vec::new(),
        }));
    };
    let nodes = cluster.nodes().await.map_err(ApiError::unavailable)?;
    Ok(Json(ClusterReport {
        enabled: true,
        node_id: Some(cluster.node_id().to_owned()),
        redis: Some(cluster.redis().to_owned()),
        coordinating: Some(cluster.coordinating()),
        nodes,
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UserListParams {
    #[param(inline)]
    role: Option<Role>,
    #[param(minimum = 1, maximum = 100, default = 50)]
    limit: Option<u32>,
    /// `next_cursor` from the previous page; any other value is a 400
    /// `invalid_parameter`.
    #[param(min_length = 1, pattern = "^[A-Za-z0-9_-]+$")]
    cursor: Option<String>,
}

/// Accounts in creation order.
#[utoipa::path(get, path = "/admin/users", tag = "admin", security(("bearer" = [])), params(UserListParams),
    responses((status = 200, body = Page<UserView>), (status = 403, body = Problem, description = ADMIN_ONLY)))]
async fn list_users(
    State(state): State<AppState>,
    admin: AuthUser,
    ApiQuery(params): ApiQuery<UserListParams>,
) -> Result<Json<Page<UserView>>, ApiError> {
    admin.require(&[Role::Admin])?;
    let bad = ApiError::invalid_parameter;
    let limit = params.limit.unwrap_or(50);
    if !(1..=100).contains(&limit) {
        return Err(bad("limit", "limit must be between 1 and 100"));
    }
    let after = params
        .cursor
        .map(|c| {
            B64.decode(c.as_bytes())
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .and_then(|s| s.parse::<UserId>().ok())
                .ok_or_else(|| bad("cursor", "cursor is not one this server issued"))
        })
        .transpose()?;
    let mut users = state
        .store
        .list_users(params.role, after, limit as usize + 1)
        .await?;
    let next_cursor = if users.len() > limit as usize {
        users.truncate(limit as usize);
        users.last().map(|u| B64.encode(u.id.to_string()))
    } else {
        None
    };
    Ok(Json(Page {
        items: users.iter().map(UserView::from).collect(),
        next_cursor,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    role: Option<Role>,
    tier: Option<Tier>,
    disabled: Option<bool>,
}

/// Changes an account's role, membership tier or disabled flag.
#[utoipa::path(patch, path = "/admin/users/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "user id")), request_body = UpdateUser,
    responses((status = 200, body = UserView), (status = 403, body = Problem, description = ADMIN_ONLY),
        (status = 404, body = Problem, description = "`not_found`: no such user"),
        (status = 422, body = Problem, description = "`self_lockout`: admins cannot demote or disable themselves")))]
async fn update_user(
    State(state): State<AppState>,
    admin: AuthUser,
    ApiPath(id): ApiPath<UserId>,
    ApiJson(req): ApiJson<UpdateUser>,
) -> Result<Json<UserView>, ApiError> {
    admin.require(&[Role::Admin])?;
    let demotes_self = req.role.is_some_and(|r| r != Role::Admin) || req.disabled == Some(true);
    if id == admin.0.id && demotes_self {
        return Err(ApiError::unprocessable(
            "self_lockout",
            "admins cannot demote or disable themselves; ask another admin",
        ));
    }
    let mut user = state
        .store
        .get_user(id)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    if let Some(role) = req.role {
        user.role = role;
    }
    if let Some(tier) = req.tier {
        user.tier = tier;
    }
    if let Some(disabled) = req.disabled {
        user.disabled = disabled;
    }
    user.updated_at = OffsetDateTime::now_utc();
    state.store.update_user(&user).await?;
    Ok(Json((&user).into()))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutCategory {
    #[schema(schema_with = category_name)]
    name: String,
    #[serde(default)]
    #[schema(schema_with = category_description)]
    description: String,
}

fn category_name() -> utoipa::openapi::schema::Object {
    souk_models::schema::text(1, 80)
}

fn category_description() -> utoipa::openapi::schema::Object {
    souk_models::schema::text(0, 500)
}

/// Creates or renames a category.
#[utoipa::path(put, path = "/admin/categories/{slug}", tag = "admin", security(("bearer" = [])),
    params(("slug" = String, Path, description = "category slug: 2 to 48 of `a-z`, `0-9` and `-`, not first",
        pattern = "^[a-z0-9][a-z0-9-]{1,47}$")),
    request_body = PutCategory,
    responses((status = 200, body = Category), (status = 403, body = Problem, description = ADMIN_ONLY)))]
async fn put_category(
    State(state): State<AppState>,
    admin: AuthUser,
    ApiPath(slug): ApiPath<CategorySlug>,
    ApiJson(req): ApiJson<PutCategory>,
) -> Result<Json<Category>, ApiError> {
    admin.require(&[Role::Admin])?;
    let field = |name: &'static str| {
        move |e: souk_models::ParseError| {
            ApiError::unprocessable("invalid_field", e.0).with_field(name)
        }
    };
    let category = Category {
        slug,
        name: BoundedText::parse("name", &req.name, 1, 80).map_err(field("name"))?,
        description: BoundedText::parse("description", &req.description, 0, 500)
            .map_err(field("description"))?,
    };
    state.catalog.put_category(category.clone()).await?;
    Ok(Json(category))
}
