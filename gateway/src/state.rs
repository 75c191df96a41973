//! The state every handler receives.

use std::ops::Deref;
use std::sync::Arc;

use axum::extract::FromRef;
use metrics_exporter_prometheus::PrometheusHandle;
use souk_actors::{
    CartHandle, Catalog, CheckoutHandle, EventBus, InventoryHandle, OrderHandle, PaymentProvider,
    Store,
};

use crate::assistant::AssistantSlot;
use crate::auth::{AuthState, Sessions};
use crate::config::GatewayConfig;
use crate::middleware::rate_limit::RateLimiter;

/// What every handler receives. axum clones the state for each request and
/// each middleware, so it is one shared [`AppParts`]: a clone is one
/// reference count rather than one per service.
#[derive(Clone)]
pub struct AppState(Arc<AppParts>);

impl AppState {
    pub fn new(parts: AppParts) -> Self {
        Self(Arc::new(parts))
    }
}

impl Deref for AppState {
    type Target = AppParts;

    fn deref(&self) -> &AppParts {
        &self.0
    }
}

/// The services behind [`AppState`].
pub struct AppParts {
    pub store: Arc<dyn Store>,
    pub catalog: Arc<Catalog>,
    pub inventory: InventoryHandle,
    pub carts: CartHandle,
    pub orders: OrderHandle,
    /// The payment provider (its webhooks come through the gateway).
    pub payments: Arc<dyn PaymentProvider>,
    pub checkout: CheckoutHandle,
    /// Live events for the WebSocket API.
    pub events: EventBus,
    pub ws: crate::ws::WsRegistry,
    pub config: Arc<GatewayConfig>,
    pub sessions: Arc<Sessions>,
    pub limiter: Arc<RateLimiter>,
    pub metrics: Option<PrometheusHandle>,
    /// The shopping assistant, or why it is not serving (yet).
    pub assistant: AssistantSlot,
    /// Cluster coordination, when `cluster.enabled`.
    pub cluster: Option<Arc<dyn crate::cluster::ClusterView>>,
}

impl FromRef<AppState> for AuthState {
    fn from_ref(state: &AppState) -> Self {
        Self {
            sessions: state.sessions.clone(),
            limiter: state.limiter.clone(),
            store: state.store.clone(),
        }
    }
}
