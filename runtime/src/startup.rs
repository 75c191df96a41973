//! Builds the application from config: store, catalog, gateway, listener.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use souk_actors::Placement;
use souk_actors::inbox::{Inbox, InboxWriter, spawn_inbox_purge};
use souk_actors::mail::MailWorker;
use souk_actors::{
    CartHandle, Catalog, CheckoutHandle, CheckoutParts, EventBus, InventorySupervisor, OrderHandle,
    Passivation, Store,
};
use souk_gateway::assistant::{AssistantOff, AssistantSlot};
use souk_gateway::auth::Sessions;
use souk_gateway::listener;
use souk_gateway::middleware::rate_limit::RateLimiter;
use souk_gateway::{AppParts, AppState};
use tokio::net::{TcpListener, TcpSocket};

use crate::cluster::{ClusterNode, Placed, load_probe};
use crate::config::Config;
use crate::demo;
use crate::store::NodeStore;

use jwt_key::jwt_secret;
use phases::Phases;

mod jwt_key;
mod phases;

/// Schema version kept in the store's meta table.
const SCHEMA_VERSION: &str = "1";

/// A bound, ready-to-run souk node.
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    /// `/metrics` on a listener of its own, when `metrics.listen` is set.
    metrics: Option<(TcpListener, axum::Router)>,
    store: NodeStore,
    /// Root of the inventory shards' supervision tree.
    inventory: ractor::ActorCell,
    carts: CartHandle,
    orders: OrderHandle,
    checkout: CheckoutHandle,
    events: EventBus,
    live: crate::live::LiveTasks,
    /// Sends the mail outbox.
    mail: MailWorker,
    /// Stores what the notification inbox keeps.
    inbox: InboxWriter,
    ws: souk_gateway::ws::WsRegistry,
    /// This node's cluster membership, when `cluster.enabled`.
    cluster: Option<ClusterNode>,
    config: Config,
    assistant: AssistantSlot,
    pub demo_accounts: Option<Vec<demo::DemoAccount>>,
    /// The demo accounts' password at this start (see [`demo::secure`]).
    pub demo_password: demo::DemoPassword,
}

impl Application {
    /// Opens the store under the data dir, loads the catalog, seeds the demo
    /// catalog once if `demo`, and binds the listener (port 0 picks a free one).
    pub async fn build(config: Config, demo: bool) -> anyhow::Result<Self> {
        let metrics = crate::telemetry::metrics();
        let lanes: Vec<String> = config
            .checkout
            .lanes
            .iter()
            .map(|l| l.name.clone())
            .collect();
        let provider = config.payments.provider.as_str();
        crate::telemetry::register(&lanes, config.marketplace.currency.code(), provider);
        let data_dir = &config.server.data_dir;
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("cannot create data dir {}", data_dir.display()))?;
        let mut phases = Phases::start();
        let store = NodeStore::open(&config).await?;
        phases.done("store opened");
        let dyn_store: Arc<dyn Store> = store.ports();
        dyn_store.put_meta("schema", SCHEMA_VERSION).await?;
        let catalog =
            Arc::new(Catalog::load(dyn_store.clone(), config.marketplace.currency).await?);
        phases.done("catalog loaded");
        let demo_accounts = if demo {
            Some(demo::seed(&dyn_store, &catalog).await?)
        } else {
            None
        };
        let demo_password = demo::secure(&dyn_store, config.server.listen).await?;
        phases.done("demo accounts checked");
        let call_timeout = Duration::from_millis(config.actors.call_timeout_ms);
        let events = crate::live::event_bus(&config.websocket);
        let (keeper, inbox) = Inbox::start(dyn_store.clone());
        events.set_keeper(keeper);
        spawn_inbox_purge(dyn_store.clone(), config.notifications.retention());
        // In a cluster each shard runs on the node holding its lease.
        let placement = if config.cluster.enabled {
            Placement::ByLease
        } else {
            Placement::Here
        };
        let (inventory, inventory_supervisor) = InventorySupervisor::start_in(
            placement,
            (
                dyn_store.clone(),
                Some(catalog.clone()),
                events.clone(),
                config.marketplace.low_stock_threshold,
                config.actors.inventory_shards,
                call_timeout,
            ),
        )
        .await
        .map_err(|e| anyhow::anyhow!("cannot start the inventory shards: {e}"))?;
        phases.done("inventory shards started");
        let idle = Duration::from_secs(config.actors.idle_secs);
        let carts = CartHandle::start_in(
            placement,
            dyn_store.clone(),
            config.actors.cart_hosts,
            idle,
            call_timeout,
        )
        .await
        .map_err(|e| anyhow::anyhow!("cannot start the carts: {e}"))?;
        phases.done("carts started");
        let payments = crate::payments::provider(&config.payments)?;
        let orders = OrderHandle::start_in(
            placement,
            dyn_store.clone(),
            inventory.clone(),
            payments.clone(),
            events.clone(),
            Passivation {
                idle,
                max_live: config.actors.max_live_orders,
            },
            call_timeout,
        )
        .await
        .map_err(|e| anyhow::anyhow!("cannot start the orders: {e}"))?;
        orders.return_lines_to(carts.clone());
        phases.done("orders started");
        let checkout_parts = CheckoutParts {
            config: config.checkout.settings(call_timeout, config.tax.table()?),
            store: dyn_store.clone(),
            catalog: catalog.clone(),
            carts: carts.clone(),
            inventory: inventory.clone(),
            orders: orders.clone(),
            events: events.clone(),
        };
        let checkout = if config.cluster.enabled {
            // The dispatcher runs on the node holding its lease.
            CheckoutHandle::start_placed(checkout_parts)
        } else {
            CheckoutHandle::start(checkout_parts)
                .await
                .map_err(|e| anyhow::anyhow!("cannot start checkout: {e}"))?
        };
        phases.done("checkout started");
        let assistant = if config.assistant.enabled {
            crate::assistant_start::spawn(
                config.assistant.clone(),
                catalog.clone(),
                dyn_store.clone(),
                carts.clone(),
            )
        } else {
            AssistantSlot::new(Err(AssistantOff::Disabled))
        };
        let secret = jwt_secret(&config, data_dir)?;
        let gateway = config.gateway(secret);
        let ws = souk_gateway::ws::WsRegistry::default();
        let live = crate::live::start(events.clone(), checkout.clone(), ws.clone());
        let listener = bind(config.server.listen).await?;
        let cluster = if config.cluster.enabled {
            let listening = listener.local_addr()?;
            let placed = Placed {
                store: dyn_store.clone(),
                inventory: inventory.clone(),
                carts: carts.clone(),
                orders: orders.clone(),
                checkout: checkout.clone(),
            };
            let node = ClusterNode::join(
                &config,
                listening,
                load_probe(&carts, &ws),
                placed,
                catalog.clone(),
                events.clone(),
            )
            .await?;
            phases.done("joined the cluster");
            Some(node)
        } else {
            None
        };
        let state = AppState::new(AppParts {
            sessions: Arc::new(Sessions::new(gateway.auth.clone())),
            limiter: Arc::new(match &cluster {
                Some(node) => RateLimiter::new(&gateway.rate_limit).shared_through(node.limits()),
                None => RateLimiter::new(&gateway.rate_limit),
            }),
            config: Arc::new(gateway),
            store: dyn_store.clone(),
            catalog,
            inventory,
            carts: carts.clone(),
            orders: orders.clone(),
            payments,
            checkout: checkout.clone(),
            events: events.clone(),
            ws: ws.clone(),
            metrics,
            assistant: assistant.clone(),
            cluster: cluster.as_ref().map(ClusterNode::view),
        });
        let mailer = souk_mail::Mail::new(
            &config.mail.from,
            config.mail.transport(&config.server.data_dir)?,
        )
        .map_err(|e| anyhow::anyhow!("cannot start mail: {e}"))?;
        let mail = MailWorker::start(dyn_store.clone(), Arc::new(mailer), config.mail.policy());
        spawn_token_purge(dyn_store);
        phases.done("listening");
        tracing::info!(phases = %phases, "node built");
        let metrics = match config.metrics.address()? {
            Some(address) => Some((
                bind(address).await?,
                souk_gateway::metrics_app(state.clone()),
            )),
            None => None,
        };
        Ok(Self {
            listener,
            router: souk_gateway::app(state),
            metrics,
            store,
            inventory: inventory_supervisor,
            carts,
            orders,
            checkout,
            events,
            live,
            mail,
            inbox,
            ws,
            cluster,
            config,
            assistant,
            demo_accounts,
            demo_password,
        })
    }

    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// The shopping assistant as it comes up (see [`AssistantSlot`]).
    pub fn assistant(&self) -> AssistantSlot {
        self.assistant.clone()
    }

    /// The node's live event bus.
    pub fn events(&self) -> EventBus {
        self.events.clone()
    }

    /// The node's open WebSocket connections.
    pub fn websockets(&self) -> souk_gateway::ws::WsRegistry {
        self.ws.clone()
    }

    pub fn port(&self) -> u16 {
        self.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// Where `/metrics` has a listener of its own, if it has one.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        let (listener, _) = self.metrics.as_ref()?;
        listener.local_addr().ok()
    }

    /// Serves until `shutdown` resolves, then stops accepting, lets in-flight
    /// requests finish (up to the grace period), drains the checkouts in
    /// flight (waiting tickets stay stored), stops the actors and closes the
    /// store.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let grace = Duration::from_secs(self.config.server.shutdown_grace_secs);
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let limits = self.config.connection_limits();
        let stopped = |mut signal: tokio::sync::watch::Receiver<bool>| async move {
            let _ = signal.wait_for(|stopped| *stopped).await;
        };
        let server = tokio::spawn(listener::serve(
            self.listener,
            self.router,
            limits.clone(),
            stopped(stop_rx.clone()),
        ));
        let metrics = self.metrics.map(|(listener, router)| {
            tokio::spawn(listener::serve(listener, router, limits, stopped(stop_rx)))
        });
        shutdown.await;
        tracing::info!("shutting down: finishing in-flight requests");
        let _ = stop_tx.send(true);
        // Upgraded connections outlive the server's graceful shutdown.
        self.ws.shutdown();
        match tokio::time::timeout(grace, server).await {
            Ok(result) => result.context("server task failed")?,
            Err(_) => tracing::warn!("in-flight requests did not finish within the grace period"),
        }
        if let Some(metrics) = metrics {
            metrics.abort();
        }
        drop(self.live);
        self.checkout.drain().await;
        self.orders.stop().await;
        self.carts.stop().await;
        if tokio::time::timeout(grace, self.mail.stop()).await.is_err() {
            tracing::warn!("the mail worker did not finish its letters within the grace period");
        }
        self.inbox.finish(grace).await;
        // The shards placed here stop and their leases go back, so other
        // nodes take them over at once.
        if let Some(cluster) = self.cluster {
            cluster.leave().await;
        }
        if let Err(e) = self.inventory.stop_and_wait(None, Some(grace)).await {
            tracing::warn!(error = %e, "inventory shards did not stop cleanly");
        }
        self.store.close().await;
        tracing::info!("store closed; bye");
        Ok(())
    }
}

/// Pending connections the kernel queues before `accept` (it caps this at
/// `net.core.somaxconn`). A flash sale opens connections in bursts; with
/// tokio's default of 1,024 a burst overflowed the queue and dropped SYNs
/// cost their clients a one-second retransmit.
const LISTEN_BACKLOG: u32 = 4096;

async fn bind(address: SocketAddr) -> anyhow::Result<TcpListener> {
    let socket = if address.is_ipv4() {
        TcpSocket::new_v4()
    } else {
        TcpSocket::new_v6()
    };
    socket
        .and_then(|socket| {
            socket.set_reuseaddr(true)?;
            socket.bind(address)?;
            socket.listen(LISTEN_BACKLOG)
        })
        .with_context(|| format!("cannot listen on {address}"))
}

/// Deletes expired refresh tokens and account tokens (verification and
/// reset links) hourly.
fn spawn_token_purge(store: Arc<dyn Store>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(3600));
        loop {
            every.tick().await;
            let now = time::OffsetDateTime::now_utc();
            match store.purge_expired_refresh_tokens(now).await {
                Ok(n) if n > 0 => tracing::info!(purged = n, "expired refresh tokens deleted"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "refresh token purge failed"),
            }
            match store.purge_account_tokens(now).await {
                Ok(n) if n > 0 => tracing::info!(purged = n, "expired account tokens deleted"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "account token purge failed"),
            }
        }
    });
}
