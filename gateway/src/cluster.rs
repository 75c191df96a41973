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

/// Node-to-node calls are signed: HMAC-SHA256 with `cluster.secret` over
/// the time (Unix seconds), the path and the body.
pub mod signing {
    use hmac::{Hmac, Mac};
    use sha2::Sha256;

    /// The header carrying the time the call was signed at.
    pub const TIME: &str = "x-souk-node-time";
    /// The header carrying the signature (lowercase hex).
    pub const SIGNATURE: &str = "x-souk-node-signature";
    /// How far a call's time may be from the receiver's clock.
    pub const SKEW_SECS: u64 = 30;

    pub fn sign(secret: &[u8], time: u64, path: &str, body: &[u8]) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(format!("{time}\n{path}\n").as_bytes());
        mac.update(body);
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Whether `signature` signs this call with `secret`, at a time within
    /// [`SKEW_SECS`] of `now`. Compares in constant time.
    pub fn verify(
        secret: &[u8],
        time: u64,
        now: u64,
        path: &str,
        body: &[u8],
        signature: &str,
    ) -> bool {
        if time.abs_diff(now) > SKEW_SECS {
            return false;
        }
        crate::secrets::same(signature, &sign(secret, time, path, body))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_signature_holds_for_its_call_only_and_not_for_long() {
            let key = b"a-cluster-secret-for-tests-32-bytes!!";
            let signed = sign(key, 1_000, "/internal/v1/inventory/3", b"{}");
            assert!(verify(
                key,
                1_000,
                1_010,
                "/internal/v1/inventory/3",
                b"{}",
                &signed
            ));
            assert!(!verify(
                key,
                1_000,
                1_031,
                "/internal/v1/inventory/3",
                b"{}",
                &signed
            ));
            assert!(!verify(
                key,
                1_000,
                1_000,
                "/internal/v1/inventory/4",
                b"{}",
                &signed
            ));
            assert!(!verify(
                key,
                1_000,
                1_000,
                "/internal/v1/inventory/3",
                b"{ }",
                &signed
            ));
            assert!(!verify(
                b"another-secret",
                1_000,
                1_000,
                "/internal/v1/inventory/3",
                b"{}",
                &signed
            ));
        }
    }
}
