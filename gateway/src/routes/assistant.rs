//! The shopping assistant's chat.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::search::{ASSISTANT_OFF, HitView, assistant};
use crate::assistant::ActionView;
use crate::auth::MaybeAuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::ApiJson;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(chat))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatRequest {
    /// What the shopper says, 1 to `assistant.max_message_chars` (500)
    /// characters.
    message: String,
    /// Continue this conversation; omit to start one.
    conversation_id: Option<Uuid>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ChatResponse<'a> {
    /// Pass it back to continue the conversation.
    conversation_id: Uuid,
    /// The answer; it names only products listed in `products`.
    answer: String,
    products: Vec<HitView<'a>>,
    /// Cart actions attempted for this message, with their outcome.
    actions: Vec<ActionView>,
}

/// Ask the assistant in plain words; follow-ups ("cheaper ones", "only red",
/// "add the second one to my cart") refer to the conversation. Cart actions
/// need a signed-in shopper; authentication is optional otherwise.
#[utoipa::path(post, path = "/assistant/chat", tag = "assistant", request_body = ChatRequest,
    security((), ("bearer" = [])),
    responses((status = 200, body = ChatResponse),
        (status = 404, body = Problem, description = "`conversation_not_found`: unknown or forgotten; start a new one"),
        (status = 409, body = Problem, description = "`conversation_full`: the conversation has its most messages; start a new one"),
        (status = 503, body = Problem, description = ASSISTANT_OFF)))]
async fn chat(
    State(state): State<AppState>,
    user: MaybeAuthUser,
    ApiJson(req): ApiJson<ChatRequest>,
) -> Result<Response, ApiError> {
    let assistant = assistant(&state)?;
    let max = assistant.config().max_message_chars;
    if req.message.chars().count() > max {
        return Err(ApiError::unprocessable(
            "invalid_field",
            format!("message must be at most {max} characters"),
        )
        .with_field("message"));
    }
    let message = req.message.trim();
    if message.is_empty() {
        return Err(
            ApiError::unprocessable("invalid_field", "message must not be empty")
                .with_field("message"),
        );
    }
    let user_id = user.0.as_ref().map(|u| u.0.id);
    let reply = assistant
        .chat(message, req.conversation_id, user_id)
        .await?;
    let body = ChatResponse {
        conversation_id: reply.conversation_id,
        answer: reply.answer,
        products: reply.products.iter().map(HitView::from).collect(),
        actions: reply.actions,
    };
    Ok(Json(body).into_response())
}
