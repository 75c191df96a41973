//! Calls between the nodes of a cluster, outside the public API and its
//! OpenAPI document: served only with `cluster.enabled`, and only to calls
//! signed with `cluster.secret` (see [`crate::cluster::signing`]).
//!
//! `POST /internal/v1/{kind}/{index}` runs one call on work placed on this
//! node: an inventory shard, a cart host, an order partition or the checkout
//! dispatcher (`checkout/0`). It answers `421 Misdirected Request` when that
//! work does not run here (it moved), so the caller asks its new node.

use std::future::Future;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use secrecy::ExposeSecret;
use serde::Serialize;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;

use crate::cluster::signing;
use crate::error::{ApiError, no_route};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/internal/v1/{kind}/{index}", post(internal))
}

async fn internal(
    State(state): State<AppState>,
    Path((kind, index)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(secret) = state.config.cluster_secret.as_ref() else {
        return no_route().await.into_response();
    };
    let path = format!("/internal/v1/{kind}/{index}");
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
    let Ok(index) = index.parse::<usize>() else {
        return ApiError::invalid_parameter("index", "must be a number").into_response();
    };
    match kind.as_str() {
        "inventory" => serve(&body, |call| state.inventory.serve(index, call)).await,
        "carts" => serve(&body, |call| state.carts.serve(index, call)).await,
        "orders" => serve(&body, |call| state.orders.serve(index, call)).await,
        "checkout" if index == 0 => serve(&body, |call| state.checkout.serve(call)).await,
        _ => no_route().await.into_response(),
    }
}

/// Reads the call, runs it with `run` and answers its reply, or `421` if
/// the work does not run here.
async fn serve<C, R, F, Fut>(body: &[u8], run: F) -> Response
where
    C: DeserializeOwned,
    R: Serialize,
    F: FnOnce(C) -> Fut,
    Fut: Future<Output = Option<R>>,
{
    let call: C = match serde_json::from_slice(body) {
        Ok(call) => call,
        Err(e) => {
            return ApiError::bad_request(
                "invalid_body",
                format!("not a call this work takes: {e}"),
            )
            .into_response();
        }
    };
    match run(call).await {
        Some(reply) => (StatusCode::OK, Json(reply)).into_response(),
        None => ApiError::new(
            StatusCode::MISDIRECTED_REQUEST,
            "not_here",
            "this work does not run on this node now; ask its holder",
        )
        .into_response(),
    }
}
