//! Calls between the nodes of a cluster, outside the public API and its
//! OpenAPI document: served only with `cluster.enabled`, and only to calls
//! signed with `cluster.secret` (see [`crate::cluster::signing`]).

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use secrecy::ExposeSecret;
use souk_actors::inventory::{ShardCall, ShardReply};
use time::OffsetDateTime;

use crate::cluster::signing;
use crate::error::{ApiError, no_route};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/internal/v1/inventory/{shard}", post(inventory))
}

/// Runs a call on an inventory shard placed on this node; answers
/// `{"reply": "not_here"}` when the shard runs elsewhere now.
async fn inventory(
    State(state): State<AppState>,
    Path(shard): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(secret) = state.config.cluster_secret.as_ref() else {
        return no_route().await.into_response();
    };
    let path = format!("/internal/v1/inventory/{shard}");
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let time = header(signing::TIME).and_then(|t| t.parse::<u64>().ok());
    let now = OffsetDateTime::now_utc()
        .unix_timestamp()
        .max(0)
        .unsigned_abs();
    let signed = match (time, header(signing::SIGNATURE)) {
        (Some(time), Some(signature)) => signing::verify(
            secret.expose_secret().as_bytes(),
            time,
            now,
            &path,
            &body,
            signature,
        ),
        _ => false,
    };
    if !signed {
        return ApiError::unauthorized(
            "node_signature",
            "this route takes only calls signed by another node of the cluster",
        )
        .into_response();
    }
    let Ok(shard) = shard.parse::<usize>() else {
        return ApiError::invalid_parameter("shard", "shard must be a number").into_response();
    };
    let call: ShardCall = match serde_json::from_slice(&body) {
        Ok(call) => call,
        Err(e) => {
            return ApiError::bad_request("invalid_body", format!("not a shard call: {e}"))
                .into_response();
        }
    };
    let reply: ShardReply = state.inventory.serve(shard, call).await;
    (StatusCode::OK, Json(reply)).into_response()
}
