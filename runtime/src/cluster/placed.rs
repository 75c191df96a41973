//! The work placed on a node by lease: inventory shards (`inventory/N`),
//! cart hosts (`carts/N`), order partitions (`orders/N`) and the checkout
//! dispatcher (`checkout/0`).

use std::sync::Arc;

use souk_actors::order::PARTITIONS;
use souk_actors::store::Fence;
use souk_actors::{CartHandle, CheckoutHandle, InventoryHandle, OrderHandle, Route, Store};
use souk_cluster::{Lease, Work};

/// What runs on a node by lease.
pub struct Placed {
    pub store: Arc<dyn Store>,
    pub inventory: InventoryHandle,
    pub carts: CartHandle,
    pub orders: OrderHandle,
    pub checkout: CheckoutHandle,
}

/// One kind of placed work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Inventory,
    Carts,
    Orders,
    Checkout,
}

const KINDS: [(Kind, &str); 4] = [
    (Kind::Inventory, "inventory"),
    (Kind::Carts, "carts"),
    (Kind::Orders, "orders"),
    (Kind::Checkout, "checkout"),
];

/// The kind and index a lease name names (`carts/3`).
fn parse(name: &str) -> Option<(Kind, usize)> {
    let (kind, index) = name.split_once('/')?;
    let kind = KINDS.iter().find(|(_, k)| *k == kind)?.0;
    Some((kind, index.parse().ok()?))
}

impl Placed {
    /// Calls for work placed on other nodes go through `route`.
    pub(super) fn route_through(&self, route: Arc<dyn Route>) {
        self.inventory.set_route(route.clone());
        self.carts.set_route(route.clone());
        self.orders.set_route(route.clone());
        self.checkout.set_route(route);
    }

    /// Every lease name placed across the cluster.
    pub(super) fn names(&self) -> Vec<String> {
        let count = |kind| match kind {
            Kind::Inventory => self.inventory.shards(),
            Kind::Carts => self.carts.hosts(),
            Kind::Orders => PARTITIONS,
            Kind::Checkout => 1,
        };
        KINDS
            .iter()
            .flat_map(|(kind, name)| (0..count(*kind)).map(move |i| format!("{name}/{i}")))
            .collect()
    }
}

#[async_trait::async_trait]
impl Work for Placed {
    /// Raises the owner's epoch in the store first (a fenced write), so that
    /// nothing an older holder still writes can land after the work has read
    /// its state; on a store where a checked write lands later than its
    /// check (ScyllaDB), waits that long; then starts the work under the
    /// fence.
    async fn start(&self, lease: &Lease) -> Result<(), String> {
        let (kind, index) =
            parse(&lease.name).ok_or_else(|| format!("no work named {}", lease.name))?;
        let fence = Fence::new(lease.name.clone(), lease.epoch);
        self.store
            .fenced(fence.clone())
            .put_meta(&format!("lease/{}", lease.name), &lease.epoch.to_string())
            .await
            .map_err(|e| e.to_string())?;
        let settle = self.store.fence_settle();
        if !settle.is_zero() {
            tracing::debug!(name = %lease.name, ?settle, "waiting for an older holder's writes to land");
            tokio::time::sleep(settle).await;
        }
        match kind {
            Kind::Inventory => self
                .inventory
                .place(index, fence)
                .await
                .map_err(|e| e.to_string()),
            Kind::Carts => self
                .carts
                .place(index, fence)
                .await
                .map_err(|e| e.to_string()),
            Kind::Orders => self
                .orders
                .place_partition(index, fence)
                .await
                .map_err(|e| e.to_string()),
            Kind::Checkout => self.checkout.place(fence).await.map_err(|e| e.to_string()),
        }
    }

    async fn stop(&self, name: &str) {
        match parse(name) {
            Some((Kind::Inventory, shard)) => self.inventory.unplace(shard).await,
            Some((Kind::Carts, host)) => self.carts.unplace(host).await,
            Some((Kind::Orders, partition)) => self.orders.unplace_partition(partition).await,
            Some((Kind::Checkout, _)) => self.checkout.unplace().await,
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lease_names_parse_back_to_their_work() {
        assert_eq!(parse("inventory/3"), Some((Kind::Inventory, 3)));
        assert_eq!(parse("orders/31"), Some((Kind::Orders, 31)));
        assert_eq!(parse("checkout/0"), Some((Kind::Checkout, 0)));
        assert_eq!(parse("carts/x"), None);
        assert_eq!(parse("lanes/0"), None);
    }
}
