//! The one place errors become HTTP: `application/problem+json` (RFC 9457) with a
//! stable `code` and the request id. Server-side details are logged, never shown.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use souk_actors::payments::PaymentError;
use souk_actors::{CartError, CatalogError, CheckoutError, InventoryError, OrderError, StoreError};

use crate::middleware::request_id;

/// An error answered to the client.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{status} {code}: {detail}")]
pub struct ApiError {
    pub status: StatusCode,
    /// Stable, machine-readable reason, e.g. `invalid_field`.
    pub code: &'static str,
    /// Human-readable explanation, safe to show.
    pub detail: String,
    /// The request field at fault, as a JSON path or parameter name.
    pub field: Option<String>,
    /// Seconds to wait before retrying (429, 503).
    pub retry_after: Option<u64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    #[schema(example = "urn:souk:problem:invalid_field")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[schema(example = "invalid_field")]
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub request_id: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            field: None,
            retry_after: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    /// A query parameter that cannot be used, named in `field`.
    pub fn invalid_parameter(field: &str, detail: &str) -> Self {
        Self::bad_request("invalid_parameter", detail).with_field(field)
    }

    /// A store conflict on the email index means the address is taken; other
    /// store errors map as usual.
    pub fn email_taken(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(_) => {
                Self::conflict("email_taken", "that email is already registered")
                    .with_field("email")
            }
            e => e.into(),
        }
    }

    pub fn unprocessable(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail)
    }

    pub fn unauthorized(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, detail)
    }

    pub fn forbidden(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, detail)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }

    pub fn too_many_requests(retry_after: u64) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("too many requests; retry in {retry_after} s"),
            )
        }
    }

    /// A failure the client cannot fix; the cause is logged, not returned.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed to handle this request; it has been logged",
        )
    }

    pub fn unavailable(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "dependency unavailable");
        Self {
            retry_after: Some(1),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "the service is temporarily unavailable; nothing was changed",
            )
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Problem {
            kind: format!("urn:souk:problem:{}", self.code),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status.as_u16(),
            detail: self.detail,
            code: self.code.to_owned(),
            field: self.field,
            request_id: request_id::current(),
        };
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        let mut response = (self.status, bytes).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(detail) => Self::conflict("conflict", detail),
            StoreError::NotFound => Self::not_found("resource"),
            StoreError::LimitReached(detail) => Self::conflict("limit_reached", detail),
            StoreError::Unavailable(_) | StoreError::Fenced(_) => Self::unavailable(e),
            StoreError::Corrupt(_) => Self::internal(e),
        }
    }
}

impl From<CatalogError> for ApiError {
    fn from(e: CatalogError) -> Self {
        let detail = e.to_string();
        match e {
            CatalogError::NotFound => Self::not_found("product"),
            CatalogError::NotOwner => Self::forbidden("not_owner", detail),
            CatalogError::NotSeller => Self::forbidden("forbidden_role", detail),
            CatalogError::UnknownCategory(_) => {
                Self::unprocessable("unknown_category", detail).with_field("category")
            }
            CatalogError::WrongCurrency { .. } => {
                Self::unprocessable("wrong_currency", detail).with_field("price.currency")
            }
            CatalogError::TooManyImages { .. } => {
                Self::unprocessable("too_many_images", detail).with_field("images")
            }
            CatalogError::Store(e) => e.into(),
        }
    }
}

impl From<InventoryError> for ApiError {
    fn from(e: InventoryError) -> Self {
        let detail = e.to_string();
        match e {
            InventoryError::OutOfStock { .. } => Self::conflict("out_of_stock", detail),
            InventoryError::Unavailable(_) => Self::unavailable(e),
            InventoryError::Store(e) => e.into(),
        }
    }
}

impl From<CartError> for ApiError {
    fn from(e: CartError) -> Self {
        let detail = e.to_string();
        match e {
            CartError::TooManyUnits { .. } => {
                Self::unprocessable("too_many_units", detail).with_field("quantity")
            }
            CartError::InsufficientStock { .. } => Self::conflict("insufficient_stock", detail),
            CartError::TooManyLines { .. } => Self::conflict("cart_full", detail),
            CartError::NotInCart(_) => Self::new(StatusCode::NOT_FOUND, "not_in_cart", detail),
            CartError::Unavailable(_) => Self::unavailable(e),
            CartError::Store(e) => e.into(),
        }
    }
}

impl From<OrderError> for ApiError {
    fn from(e: OrderError) -> Self {
        let detail = e.to_string();
        match e {
            OrderError::NotFound => Self::not_found("order"),
            OrderError::Transition { from, .. } => Self::conflict(
                "invalid_transition",
                format!("the order is {}; {detail}", from.as_str()),
            ),
            OrderError::Forbidden(_) => Self::forbidden("forbidden_role", detail),
            OrderError::AddressLocked { .. } => Self::conflict("address_locked", detail),
            OrderError::TotalTooLarge => Self::unprocessable("total_too_large", detail),
            OrderError::NotRefundable { status } => Self::conflict(
                "invalid_transition",
                format!("the order is {}; {detail}", status.as_str()),
            ),
            OrderError::RefundTooLarge { .. } => Self::conflict("refund_exceeds_payment", detail),
            OrderError::NotReturnable { .. } => Self::conflict("not_returnable", detail),
            OrderError::ReturnWindowClosed { .. } => Self::conflict("return_window_closed", detail),
            OrderError::ReturnTooLarge { .. } => {
                Self::unprocessable("not_on_order", detail).with_field("lines")
            }
            OrderError::ReturnNotFound => Self::not_found("return"),
            OrderError::ReturnDecided { .. } => Self::conflict("return_decided", detail),
            OrderError::PaymentDeclined { .. } => {
                Self::new(StatusCode::PAYMENT_REQUIRED, "payment_declined", detail)
            }
            OrderError::Payment(PaymentError::InvalidToken(_)) => {
                Self::unprocessable("invalid_card_token", detail).with_field("card_token")
            }
            // A provider that refuses souk's own request (a wrong key, an
            // unknown payment) is souk's problem, logged and not shown.
            OrderError::Payment(PaymentError::UnknownPayment(_) | PaymentError::Refused(_)) => {
                Self::internal(e)
            }
            OrderError::Payment(PaymentError::Unavailable(_)) | OrderError::Unavailable(_) => {
                Self::unavailable(e)
            }
            OrderError::Inventory(e) => e.into(),
            OrderError::Store(e) => e.into(),
        }
    }
}

impl From<CheckoutError> for ApiError {
    fn from(e: CheckoutError) -> Self {
        let detail = e.to_string();
        match e {
            CheckoutError::EmptyCart => Self::unprocessable("empty_cart", detail),
            CheckoutError::LaneFull {
                retry_after_secs, ..
            } => Self {
                retry_after: Some(retry_after_secs),
                ..Self::new(StatusCode::SERVICE_UNAVAILABLE, "lane_full", detail)
            },
            CheckoutError::NotFound => Self::not_found("checkout ticket"),
            CheckoutError::Unavailable(_) => Self::unavailable(e),
            CheckoutError::Store(e) => e.into(),
        }
    }
}

/// Answers requests to paths no route serves.
pub async fn no_route() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no_route", "no such endpoint")
}

/// Answers a known path called with the wrong method, with the methods it
/// serves in `Allow` when they are known.
pub fn wrong_method(allow: Option<String>) -> Response {
    let problem = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not support that method",
    );
    let mut response = problem.into_response();
    if let Some(value) = allow.and_then(|a| HeaderValue::from_str(&a).ok()) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}
