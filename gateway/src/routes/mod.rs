//! The API's resources, one module each; `api()` joins them under `/api/v1`.

mod account;
mod admin;
mod admin_orders;
mod admin_outbox;
mod assistant;
mod auth;
mod cart;
mod categories;
mod checkout;
mod cursor;
mod health;
mod internal;
mod listing;
mod memberships;
mod notifications;
mod order_view;
mod orders;
mod products;
mod refunds;
mod returns;
mod search;
mod seller;
mod shipping;
mod users;
mod webhooks;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// Every `/api/v1` route, with its OpenAPI description.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(auth::router())
        .merge(account::router())
        .merge(notifications::router())
        .merge(users::router())
        .merge(products::router())
        .merge(cart::router())
        .merge(checkout::router())
        .merge(orders::router())
        .merge(refunds::router())
        .merge(memberships::router())
        .merge(admin_orders::router())
        .merge(admin_outbox::router())
        .merge(returns::router())
        .merge(categories::router())
        .merge(seller::router())
        .merge(admin::router())
        .merge(search::router())
        .merge(assistant::router())
        .merge(webhooks::router())
        .merge(crate::ws::router())
}

pub use health::metrics_router as metrics;
pub use health::router as health;
pub use internal::router as internal;
