//! Where orders run: all here on one node; in a cluster those of the
//! partitions placed on this node, with calls for the others sent to their
//! node and calls from other nodes served here.

use std::sync::Arc;

use super::OrderHandle;
use crate::cart::CartHandle;
use crate::order::OrderError;
use crate::order::actor::OrderMsg;
use crate::order::remote::{OrderCall, OrderOp, OrderReply, PARTITIONS, partition_of};
use crate::remote::Route;
use crate::store::Fence;
use souk_models::{Caller, OrderId, Role, UserId};

impl OrderHandle {
    /// Sends calls for orders placed on other nodes through `route` (set
    /// once, by the cluster; every clone of this handle shares it).
    pub fn set_route(&self, route: Arc<dyn Route>) {
        self.remote.set(route);
    }

    /// Puts the lines of orders that end unpaid back in their buyers' carts
    /// (set once at start; every clone of this handle shares it).
    pub fn return_lines_to(&self, carts: CartHandle) {
        let _ = self.services.carts.set(carts);
    }

    /// Runs partition `partition`'s orders on this node under `fence` (its
    /// lease's epoch): their writes carry the fence, and the deadlines of its
    /// unpaid orders are armed here. Only for a handle started
    /// [`Placement::ByLease`](crate::Placement::ByLease).
    pub async fn place_partition(&self, partition: usize, fence: Fence) -> Result<(), OrderError> {
        let Some(partitions) = &self.partitions else {
            return Err(OrderError::Unavailable(
                "orders are not placed by lease on this node".to_owned(),
            ));
        };
        if partition >= PARTITIONS {
            return Err(OrderError::Unavailable(format!(
                "there is no order partition {partition}"
            )));
        }
        let unpaid = self.services.store.list_unpaid_orders().await?;
        partitions.hold(partition, self.services.store.fenced(fence));
        let unpaid = unpaid
            .into_iter()
            .filter(|(order, _)| partition_of(*order) == partition);
        self.deadlines.rearm(unpaid.collect());
        Ok(())
    }

    /// Stops partition `partition`'s orders on this node; returns once they
    /// have stopped.
    pub async fn unplace_partition(&self, partition: usize) {
        if let Some(partitions) = &self.partitions {
            partitions.release(partition);
            self.directory
                .stop_where(|order| partition_of(*order) == partition)
                .await;
        }
    }

    /// Runs a call forwarded by another node on an order placed here;
    /// `None` if its partition does not run here (it moved).
    pub async fn serve(&self, partition: usize, call: OrderCall) -> Option<OrderReply> {
        let here = partition_of(call.order) == partition && self.runs_here(partition);
        if !here {
            return None;
        }
        Some(self.run_here(call).await)
    }

    pub(super) fn runs_here(&self, partition: usize) -> bool {
        self.partitions.as_ref().is_none_or(|p| p.holds(partition))
    }

    /// Runs `op` on order `id`: here when its partition runs here (or when
    /// not clustered), otherwise on the node holding the partition.
    pub(super) async fn dispatch(
        &self,
        id: OrderId,
        op: OrderOp,
    ) -> Result<OrderReply, OrderError> {
        let call = OrderCall { order: id, op };
        if !self.remote.clustered() {
            return Ok(self.run_here(call).await);
        }
        let partition = partition_of(id);
        let local = || {
            self.runs_here(partition)
                .then(|| self.run_here(call.clone()))
        };
        let name = format!("orders/{partition}");
        let reply = self.remote.run(&name, &call, self.timeout, local).await;
        reply.map_err(OrderError::Unavailable)
    }

    pub(super) async fn run_here(&self, call: OrderCall) -> OrderReply {
        let id = call.order;
        let reply = match call.op {
            OrderOp::Place { new } => return OrderReply::Placed(self.place_here(new).await),
            OrderOp::Get { caller } => self.get_here(id, caller).await,
            OrderOp::Pay { by, card_token } => {
                let build = |reply| OrderMsg::Pay {
                    by,
                    card_token: card_token.clone(),
                    reply,
                };
                self.act(id, by, build).await
            }
            OrderOp::Cancel { by } => {
                self.act(id, by, |reply| OrderMsg::Cancel { by, reply })
                    .await
            }
            OrderOp::Ship { by, shipment } => {
                let build = |reply| OrderMsg::Ship {
                    by,
                    shipment: shipment.clone(),
                    reply,
                };
                self.act(id, by, build).await
            }
            OrderOp::Deliver { by } => {
                self.act(id, by, |reply| OrderMsg::Deliver { by, reply })
                    .await
            }
            OrderOp::Refund { by } => {
                self.act(id, by, |reply| OrderMsg::Refund { by, reply })
                    .await
            }
            OrderOp::RefundPart { by, refund } => {
                let build = |reply| OrderMsg::RefundPart {
                    by,
                    refund: refund.clone(),
                    reply,
                };
                self.act(id, by, build).await
            }
            OrderOp::Provider { event, update } => {
                // The provider (its event verified) reaches this one order
                // as an admin would.
                let by = Caller {
                    user_id: UserId::new(),
                    role: Role::Admin,
                };
                let build = |reply| OrderMsg::Provider {
                    event: event.clone(),
                    update: update.clone(),
                    reply,
                };
                self.act(id, by, build).await
            }
            OrderOp::RequestReturn { by, request } => {
                let build = |reply| OrderMsg::RequestReturn {
                    by,
                    request: request.clone(),
                    reply,
                };
                self.act(id, by, build).await
            }
            OrderOp::DecideReturn {
                by,
                return_id,
                decision,
            } => {
                let build = |reply| OrderMsg::DecideReturn {
                    by,
                    return_id,
                    decision: decision.clone(),
                    reply,
                };
                self.act(id, by, build).await
            }
            OrderOp::ChangeAddress { by, address } => {
                let build = |reply| OrderMsg::ChangeAddress {
                    by,
                    address: address.clone(),
                    reply,
                };
                self.act(id, by, build).await
            }
        };
        OrderReply::Order(Box::new(reply))
    }
}
