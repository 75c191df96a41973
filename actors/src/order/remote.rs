//! Orders in a cluster: spread over a fixed number of partitions by id, each
//! placed on one node by its lease (`orders/7`), and calls to orders as they
//! travel to that node (see [`crate::remote`]).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};
use souk_models::{AddressInput, Caller, Order, OrderId, ReturnId, Shipment};

use super::{NewOrder, OrderError, PartRefund, PlacedOrder, ReturnDecision, ReturnRequest};
use crate::payments::PaymentUpdate;
use crate::store::Store;

/// Partitions of the orders. Fixed, so every node of every version agrees
/// where an order belongs; enough to spread orders over many nodes.
pub const PARTITIONS: usize = 32;

/// The partition `order` belongs to.
pub fn partition_of(order: OrderId) -> usize {
    (order.as_uuid().as_u128() % PARTITIONS as u128) as usize
}

/// The partitions placed on this node, each with the store its orders write
/// through (fenced by the partition's lease).
#[derive(Default)]
pub(crate) struct Partitions {
    held: RwLock<HashMap<usize, Arc<dyn Store>>>,
}

impl Partitions {
    /// The store an order placed here writes through; `None` if its
    /// partition is not placed here.
    pub(crate) fn store_of(&self, order: OrderId) -> Option<Arc<dyn Store>> {
        self.read().get(&partition_of(order)).cloned()
    }

    pub(crate) fn holds(&self, partition: usize) -> bool {
        self.read().contains_key(&partition)
    }

    pub(crate) fn hold(&self, partition: usize, store: Arc<dyn Store>) {
        self.held
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(partition, store);
    }

    pub(crate) fn release(&self, partition: usize) {
        self.held
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&partition);
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<usize, Arc<dyn Store>>> {
        self.held.read().unwrap_or_else(|p| p.into_inner())
    }
}

/// A call to one order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrderCall {
    pub order: OrderId,
    #[serde(flatten)]
    pub op: OrderOp,
}

/// What a call asks of an order.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum OrderOp {
    Place {
        new: NewOrder,
    },
    Get {
        caller: Caller,
    },
    Pay {
        by: Caller,
        card_token: String,
    },
    Cancel {
        by: Caller,
    },
    Ship {
        by: Caller,
        shipment: Shipment,
    },
    Deliver {
        by: Caller,
    },
    Refund {
        by: Caller,
    },
    ChangeAddress {
        by: Caller,
        address: AddressInput,
    },
    Provider {
        event: String,
        update: PaymentUpdate,
    },
    RefundPart {
        by: Caller,
        refund: PartRefund,
    },
    RequestReturn {
        by: Caller,
        request: ReturnRequest,
    },
    DecideReturn {
        by: Caller,
        return_id: ReturnId,
        decision: ReturnDecision,
    },
}

/// An order's answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderReply {
    Order(Box<Result<Order, OrderError>>),
    Placed(Result<PlacedOrder, OrderError>),
}

impl OrderReply {
    pub(crate) fn order(self) -> Result<Order, OrderError> {
        match self {
            Self::Order(result) => *result,
            Self::Placed(_) => Err(unexpected()),
        }
    }

    pub(crate) fn placed(self) -> Result<PlacedOrder, OrderError> {
        match self {
            Self::Placed(result) => result,
            Self::Order(_) => Err(unexpected()),
        }
    }
}

fn unexpected() -> OrderError {
    OrderError::Unavailable("an order's node answered another call's reply".to_owned())
}
