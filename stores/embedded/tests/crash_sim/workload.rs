//! What the simulated node writes, and what the store must hold afterwards.
//!
//! Each task stands for one inventory shard: it owns one product and walks
//! orders on it through the writes a checkout makes (reserve, place, pay or
//! expire, sometimes refund), one store call per step, and now and then
//! writes a batch of new products large enough to fill memtables, so tables
//! are written out and journals rotate while the crash can strike. Before a
//! call the task notes its intent, after it the acknowledgement; both notes
//! reach the record in order with the store's file changes.

use std::collections::BTreeMap;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use souk_models::{OrderId, ProductId, StockLevel};

/// Units each task's product starts with.
pub const ON_HAND: u64 = 1_000;

/// One store call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    /// One catalog write: products with their stock. The first is the task's
    /// own product; the others fill the catalog.
    Catalog {
        products: Vec<ProductId>,
        description_len: usize,
    },
    /// Stock reserved: the level with a hold, in one write.
    Reserve {
        order: OrderId,
        quantity: u32,
        level: StockLevel,
    },
    /// The order record, with its first timeline entry.
    Place { order: OrderId, quantity: u32 },
    /// One more timeline entry; `seq` is its number.
    Note {
        order: OrderId,
        seq: u64,
        outcome: Outcome,
    },
    /// Paid: the hold becomes a sale.
    Sell {
        order: OrderId,
        quantity: u32,
        level: StockLevel,
    },
    /// Unpaid in time: the hold is dropped.
    Release {
        order: OrderId,
        quantity: u32,
        level: StockLevel,
    },
    /// Refunded: the sale is dropped and its units are back.
    Refund {
        order: OrderId,
        quantity: u32,
        level: StockLevel,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    Paid,
    Expired,
    Refunded,
}

/// A note the driver writes to the mark file, one line each.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Mark {
    Intent { task: usize, step: Step },
    Acked { task: usize },
}

/// The steps of one task, decided up front from its seed: `orders` orders,
/// and after every fourth a catalog batch of `fill` × 10 to 40 products.
pub fn plan(task: usize, orders: usize, fill: usize, seed: u64) -> Vec<Step> {
    let mut rng = StdRng::seed_from_u64(seed ^ (task as u64).wrapping_mul(0x9e37_79b9));
    let product = ProductId::new();
    let mut steps = vec![Step::Catalog {
        products: vec![product],
        description_len: 100,
    }];
    let mut level = StockLevel {
        on_hand: ON_HAND,
        reserved: 0,
        sold: 0,
    };
    for n in 0..orders {
        let order = OrderId::new();
        let quantity = rng.gen_range(1..=4);
        let q = u64::from(quantity);
        level.reserved += q;
        steps.push(Step::Reserve {
            order,
            quantity,
            level,
        });
        steps.push(Step::Place { order, quantity });
        level.reserved -= q;
        let roll = rng.gen_range(0..10);
        if roll < 3 {
            steps.push(Step::Release {
                order,
                quantity,
                level,
            });
            steps.push(note(order, 2, Outcome::Expired));
        } else {
            steps.push(note(order, 2, Outcome::Paid));
            level.sold += q;
            steps.push(Step::Sell {
                order,
                quantity,
                level,
            });
            if roll == 9 {
                steps.push(note(order, 3, Outcome::Refunded));
                level.sold -= q;
                steps.push(Step::Refund {
                    order,
                    quantity,
                    level,
                });
            }
        }
        if n % 4 == 3 {
            let count = fill * rng.gen_range(10..40);
            let products = (0..count).map(|_| ProductId::new()).collect();
            steps.push(Step::Catalog {
                products,
                description_len: rng.gen_range(500..4_000),
            });
        }
    }
    steps
}

fn note(order: OrderId, seq: u64, outcome: Outcome) -> Step {
    Step::Note {
        order,
        seq,
        outcome,
    }
}

/// What one task's part of the store holds: the fields its steps write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskState {
    /// The task's own product's stock, once written.
    pub level: Option<StockLevel>,
    pub holds: BTreeMap<OrderId, u32>,
    pub sales: BTreeMap<OrderId, u32>,
    /// Timeline length of each order that exists.
    pub orders: BTreeMap<OrderId, usize>,
    /// Catalog products that exist, each with its stock.
    pub products: BTreeMap<ProductId, Option<StockLevel>>,
}

/// Everything one task's steps touch, so a read of the store can be compared
/// with the state after some prefix of them.
#[derive(Debug, Default)]
pub struct Footprint {
    pub product: Option<ProductId>,
    pub orders: Vec<OrderId>,
    pub products: Vec<ProductId>,
}

impl Footprint {
    pub fn of(steps: &[Step]) -> Self {
        let mut footprint = Self::default();
        for step in steps {
            match step {
                Step::Catalog { products, .. } => {
                    footprint.product.get_or_insert(products[0]);
                    footprint.products.extend(products.iter().skip(1));
                }
                Step::Place { order, .. } => footprint.orders.push(*order),
                _ => {}
            }
        }
        footprint
    }
}

/// The state `steps` leave, as read through `footprint`.
pub fn after(steps: &[Step], footprint: &Footprint) -> TaskState {
    let mut state = TaskState::default();
    let mut present = BTreeMap::new();
    for step in steps {
        match step {
            Step::Catalog { products, .. } => {
                if state.level.is_none() {
                    state.level = Some(initial());
                }
                for p in products.iter().skip(1) {
                    present.insert(*p, Some(initial()));
                }
            }
            Step::Reserve {
                order,
                quantity,
                level,
            } => {
                state.level = Some(*level);
                state.holds.insert(*order, *quantity);
            }
            Step::Place { order, .. } => {
                state.orders.insert(*order, 1);
            }
            Step::Note { order, seq, .. } => {
                state.orders.insert(*order, *seq as usize);
            }
            Step::Sell {
                order,
                quantity,
                level,
            } => {
                state.level = Some(*level);
                state.holds.remove(order);
                state.sales.insert(*order, *quantity);
            }
            Step::Release { order, level, .. } => {
                state.level = Some(*level);
                state.holds.remove(order);
            }
            Step::Refund { order, level, .. } => {
                state.level = Some(*level);
                state.sales.remove(order);
            }
        }
    }
    state.products = footprint
        .products
        .iter()
        .filter_map(|p| present.get(p).map(|level| (*p, *level)))
        .collect();
    state
}

pub fn initial() -> StockLevel {
    StockLevel {
        on_hand: ON_HAND,
        reserved: 0,
        sold: 0,
    }
}
