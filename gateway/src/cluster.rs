//! What the gateway needs from cluster coordination: the admin view of the
//! nodes, and whether coordination works now (for readiness). The runtime
//! implements it over Redis; without a cluster there is none.

use std::collections::BTreeMap;

use serde::Serialize;
use time::OffsetDateTime;

/// The cluster as coordination sees it.
#[async_trait::async_trait]
pub trait ClusterView: Send + Sync {
    /// The live nodes, or why they cannot be listed now.
    async fn nodes(&self) -> Result<Vec<NodeView>, String>;
    /// This node's id.
    fn node_id(&self) -> &str;
    /// Whether Redis answers now.
    fn coordinating(&self) -> bool;
    /// Where Redis is (hosts only, no credentials).
    fn redis(&self) -> &str;
}

/// One live node.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NodeView {
    /// `cluster.node_id`.
    #[schema(example = "souk-2")]
    pub id: String,
    /// Where the other nodes reach it (`cluster.advertise`).
    #[schema(example = "souk-2.internal:8080")]
    pub advertise: String,
    /// The souk version it runs.
    pub version: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub started_at: OffsetDateTime,
    /// Its last heartbeat.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub seen_at: OffsetDateTime,
    /// Load figures by name: `orders_live`, `carts_live`,
    /// `ws_connections`, `checkouts_in_flight`.
    pub load: BTreeMap<String, u64>,
    /// The leases it holds (work placed on it), e.g. `inventory/3`.
    pub owns: Vec<String>,
}

/// `GET /admin/cluster`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClusterReport {
    /// Whether this node runs as part of a cluster (`cluster.enabled`).
    pub enabled: bool,
    /// This node's id (absent when not clustered).
    pub node_id: Option<String>,
    /// Where Redis is, hosts only (absent when not clustered).
    pub redis: Option<String>,
    /// Whether Redis answers this node now (absent when not clustered).
    pub coordinating: Option<bool>,
    /// The live nodes, by id (empty when not clustered).
    pub nodes: Vec<NodeView>,
}
