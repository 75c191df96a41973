//! This node as a member of a cluster (`cluster.enabled`): its id and its
//! heartbeat in Redis, the work placed on it by lease (`placed`), calls to
//! work placed elsewhere (`route`), the catalog shared with the other nodes
//! (`catalog_sync`), live events across nodes (`event_sync`), and the admin
//! view of the nodes. docs/cluster.md has
//! the design.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, bail};
use secrecy::ExposeSecret;
use souk_cluster::{Beat, Leases, Member, Membership, Placer, Redis, Work};
use souk_gateway::cluster::{ClusterView, NodeView};
use time::OffsetDateTime;
use tokio::task::JoinHandle;

use crate::config::{Config, advertise, valid_node_id};

mod catalog_sync;
mod event_sync;
mod limits;
mod placed;
mod route;

use catalog_sync::CatalogSync;
use event_sync::EventSync;
pub use placed::Placed;
use route::{HttpRoute, Owners};

/// Load figures a heartbeat reports, read when it is sent.
pub type LoadProbe = Arc<dyn Fn() -> BTreeMap<String, u64> + Send + Sync>;

/// What this node reports as its load at each heartbeat.
pub fn load_probe(carts: &souk_actors::CartHandle, ws: &souk_gateway::ws::WsRegistry) -> LoadProbe {
    let (carts, ws) = (carts.clone(), ws.clone());
    Arc::new(move || {
        BTreeMap::from([
            ("carts_live".to_owned(), carts.live() as u64),
            ("ws_connections".to_owned(), ws.connections() as u64),
        ])
    })
}

/// This node's membership, kept alive by a heartbeat task, and the work
/// placed on it.
pub struct ClusterNode {
    shared: Arc<Shared>,
    catalog: CatalogSync,
    events: EventSync,
    heartbeat: JoinHandle<Placer>,
    stop: tokio::sync::watch::Sender<bool>,
    placed: Arc<Placed>,
    lease: Duration,
}

struct Shared {
    id: String,
    redis: Redis,
    membership: Membership,
    me: Mutex<Member>,
    connected: AtomicBool,
}

impl ClusterNode {
    /// Connects to Redis and records this node as a member, then shares
    /// its catalog with the other nodes and starts the heartbeat, which
    /// also places work (each round). Waits while a record of the same node
    /// id from another process is alive (this node's previous run, killed
    /// less than a lease ago), and refuses to start if it stays alive: two
    /// processes must never share an id.
    pub async fn join(
        config: &Config,
        listening: SocketAddr,
        load: LoadProbe,
        placed: Placed,
        catalog: Arc<souk_actors::Catalog>,
        events: souk_actors::EventBus,
    ) -> anyhow::Result<Self> {
        let cluster = &config.cluster;
        let id = node_id(config)?;
        let lease = cluster.lease();
        let redis = Redis::connect(cluster.redis_url.expose_secret(), lease)
            .await
            .context("config key `cluster.redis_url`")?;
        let membership = Membership::new(redis.clone(), lease);
        let now = OffsetDateTime::now_utc();
        let me = Member {
            id: id.clone(),
            incarnation: uuid::Uuid::new_v4().simple().to_string()[..12].to_owned(),
            advertise: advertise(config, listening)?,
            version: env!("CARGO_PKG_VERSION").to_owned(),
            started_at: now,
            seen_at: now,
            load: load(),
            owns: Vec::new(),
        };
        let deadline = tokio::time::Instant::now() + lease * 3;
        loop {
            match membership.beat(&me).await? {
                Beat::Recorded => break,
                Beat::IdInUse(_) if tokio::time::Instant::now() >= deadline => bail!(
                    "another running node uses cluster.node_id = {id}; give each node its own id"
                ),
                Beat::IdInUse(left) => {
                    tracing::warn!(
                        node = %id,
                        wait_ms = left.as_millis() as u64,
                        "this node id is still held by another process (or this node's previous run); waiting for its record to expire"
                    );
                    tokio::time::sleep(left.min(lease) + Duration::from_millis(50)).await;
                }
            }
        }
        tracing::info!(node = %id, redis = %redis.shown(), "joined the cluster");
        let catalog = CatalogSync::start(&redis, catalog, me.holder())
            .await
            .context("config key `cluster.redis_url`")?;
        let retention = crate::live::retention(&config.websocket);
        let events = EventSync::start(&redis, events, retention, me.holder(), lease)
            .await
            .context("config key `cluster.redis_url`")?;
        let placed = Arc::new(placed);
        let owners = Owners::default();
        placed.route_through(Arc::new(HttpRoute::new(
            owners.clone(),
            cluster.secret.clone(),
            me.advertise.clone(),
            Duration::from_millis(config.actors.call_timeout_ms),
            Duration::from_millis(config.checkout.wait_ms),
        )));
        let leases = Leases::new(redis.clone(), me.holder(), lease);
        let work: Arc<dyn Work> = placed.clone();
        let placer = Placer::new(leases, membership.clone(), placed.names(), work);
        let shared = Arc::new(Shared {
            id,
            redis,
            membership,
            me: Mutex::new(me),
            connected: AtomicBool::new(true),
        });
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let heartbeat = tokio::spawn(beat_forever(
            shared.clone(),
            load,
            (placer, owners),
            lease / 3,
            stopped,
        ));
        Ok(Self {
            shared,
            catalog,
            events,
            heartbeat,
            stop,
            placed,
            lease,
        })
    }

    /// The gateway's rate limits, counted for the whole cluster in Redis.
    pub fn limits(&self) -> Arc<dyn souk_gateway::middleware::rate_limit::SharedLimits> {
        let limits = souk_cluster::RateLimits::new(self.shared.redis.clone());
        Arc::new(limits::RedisLimits(limits))
    }

    /// The admin view and readiness probe over this membership.
    pub fn view(&self) -> Arc<dyn ClusterView> {
        self.shared.clone()
    }

    /// Stops the work placed here and gives its leases back, stops the
    /// heartbeat and removes this node's record, so the others take over
    /// at once rather than a lease later.
    pub async fn leave(self) {
        self.catalog.stop();
        let _ = self.stop.send(true);
        let mut heartbeat = self.heartbeat;
        match tokio::time::timeout(self.lease, &mut heartbeat).await {
            Ok(Ok(mut placer)) => {
                if let Err(e) = placer.leave().await {
                    tracing::warn!(error = %e, "could not give the leases back; they expire by themselves");
                }
            }
            _ => {
                heartbeat.abort();
                // Stop what may run here anyway; its leases expire.
                for name in self.placed.names() {
                    self.placed.stop(&name).await;
                }
            }
        }
        self.events.stop();
        let me = self.shared.member();
        if let Err(e) = self.shared.membership.leave(&me).await {
            tracing::warn!(error = %e, "could not remove this node's record; it expires by itself");
        }
        self.shared.redis.close().await;
    }
}

impl Shared {
    fn member(&self) -> Member {
        self.me.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// Every third of a lease: record this node as alive, then renew, take and
/// hand over work. Returns the placer when told to stop.
async fn beat_forever(
    shared: Arc<Shared>,
    load: LoadProbe,
    (mut placer, owners): (Placer, Owners),
    every: Duration,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) -> Placer {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stopped.changed() => return placer,
        }
        let me = {
            let mut me = shared.me.lock().unwrap_or_else(|p| p.into_inner());
            me.seen_at = OffsetDateTime::now_utc();
            me.load = load();
            me.owns = placer.held().keys().cloned().collect();
            me.clone()
        };
        let ok = match shared.membership.beat(&me).await {
            Ok(Beat::Recorded) => true,
            Ok(Beat::IdInUse(_)) => {
                tracing::error!(node = %me.id, "another process took this node's id while its heartbeat lapsed");
                false
            }
            Err(e) => {
                tracing::warn!(error = %e, "heartbeat failed; coordination is degraded");
                false
            }
        };
        let placing = placer.tick().await;
        *owners.write().unwrap_or_else(|p| p.into_inner()) = placer.owners().clone();
        if let Err(e) = &placing {
            tracing::warn!(error = %e, "placement failed; work whose lease lapses stops");
        }
        let ok = ok && placing.is_ok();
        let was = shared.connected.swap(ok, Ordering::Relaxed);
        if ok && !was {
            tracing::info!("heartbeat recorded again; coordination restored");
        }
        metrics::gauge!("souk_cluster_coordinating").set(if ok { 1.0 } else { 0.0 });
        metrics::gauge!("souk_cluster_leases_held").set(placer.held().len() as f64);
    }
}

#[async_trait::async_trait]
impl ClusterView for Shared {
    async fn nodes(&self) -> Result<Vec<NodeView>, String> {
        let members = self.membership.list().await.map_err(|e| e.to_string())?;
        Ok(members
            .into_iter()
            .map(|m| NodeView {
                id: m.id,
                advertise: m.advertise,
                version: m.version,
                started_at: m.started_at,
                seen_at: m.seen_at,
                load: m.load,
                owns: m.owns,
            })
            .collect())
    }

    fn node_id(&self) -> &str {
        &self.id
    }

    fn coordinating(&self) -> bool {
        self.connected.load(Ordering::Relaxed)
    }

    fn redis(&self) -> &str {
        self.redis.shown()
    }
}

/// `cluster.node_id`, or the id kept in the data dir (generated at the
/// first start).
pub fn node_id(config: &Config) -> anyhow::Result<String> {
    let configured = config.cluster.node_id.trim();
    if !configured.is_empty() {
        return Ok(configured.to_owned());
    }
    let path = config.server.data_dir.join("node-id");
    if let Ok(kept) = std::fs::read_to_string(&path) {
        let kept = kept.trim();
        if valid_node_id(kept) {
            return Ok(kept.to_owned());
        }
        bail!("{} does not hold a valid node id", path.display());
    }
    let id = format!("node-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    keep(&path, &id).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(id)
}

fn keep(path: &Path, id: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, format!("{id}\n"))?;
    std::fs::File::open(path)?.sync_all()
}
