//! Request ids: taken from `x-request-id` when the client sends a sane one,
//! generated otherwise, echoed on the response, logged, and put in every problem.

use axum::extract::Request;
use axum::http::HeaderValue;

pub const HEADER: &str = "x-request-id";

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being handled on this task, if any.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

fn acceptable(value: &HeaderValue) -> Option<String> {
    let s = value.to_str().ok()?;
    let ok = (1..=64).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c));
    ok.then(|| s.to_owned())
}

/// Takes the request's id from its header when sane, or makes one, and puts it
/// in the header the handlers and the response see. Returns the id and its
/// header value.
pub(super) fn assign(req: &mut Request) -> (String, Option<HeaderValue>) {
    let id = req
        .headers()
        .get(HEADER)
        .and_then(acceptable)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let header = HeaderValue::from_str(&id).ok();
    if let Some(h) = &header {
        req.headers_mut().insert(HEADER, h.clone());
    }
    (id, header)
}

/// Runs `f` with `id` as the task's request id (for code that runs before the
/// request's future is first polled).
pub(super) fn sync_scope<R>(id: String, f: impl FnOnce() -> R) -> R {
    REQUEST_ID.sync_scope(id, f)
}

/// `fut` with `id` as its request id while it runs.
pub(super) fn scope<F: std::future::Future>(
    id: String,
    fut: F,
) -> impl std::future::Future<Output = F::Output> {
    REQUEST_ID.scope(id, fut)
}
