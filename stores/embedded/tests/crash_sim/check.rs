//! Opens a crash image and compares what it holds with what the workload
//! was told: every acknowledged step present, the one in flight either whole
//! or absent, and each product's stock equal to its holds and sales.

use std::path::Path;

use souk_actors::store::{CatalogStore, InventoryStore, OrderStore};
use souk_store_embedded::EmbeddedStore;

use super::workload::{Footprint, Mark, ON_HAND, Step, TaskState, after};

/// What the marks up to some point of the record say.
#[derive(Debug, Default)]
pub struct Progress {
    tasks: Vec<TaskProgress>,
    /// Mark bytes not yet ending in a newline.
    partial: Vec<u8>,
}

#[derive(Debug, Default)]
struct TaskProgress {
    /// Every step the task began, in order.
    steps: Vec<Step>,
    /// How many of them were acknowledged.
    acked: usize,
}

/// How an image compared, when it did.
#[derive(Debug, Clone, Copy, Default)]
pub struct Outcome {
    pub acked: usize,
    /// Steps in flight at the crash that the image holds whole.
    pub in_flight_kept: usize,
    /// Steps in flight at the crash that left no trace.
    pub in_flight_lost: usize,
}

impl Progress {
    pub fn mark(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.partial.extend_from_slice(bytes);
        while let Some(end) = self.partial.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.partial.drain(..=end).collect();
            let mark: Mark = serde_json::from_slice(&line).map_err(|e| format!("bad mark: {e}"))?;
            let (Mark::Intent { task, .. } | Mark::Acked { task }) = mark;
            if self.tasks.len() <= task {
                self.tasks.resize_with(task + 1, TaskProgress::default);
            }
            let progress = &mut self.tasks[task];
            match mark {
                Mark::Intent { step, .. } => progress.steps.push(step),
                Mark::Acked { .. } => progress.acked += 1,
            }
        }
        Ok(())
    }

    pub fn acked(&self) -> usize {
        self.tasks.iter().map(|t| t.acked).sum()
    }
}

/// Opens the image in `dir` and checks every task's part of it.
pub async fn image(dir: &Path, progress: &Progress) -> Result<Outcome, String> {
    let store = EmbeddedStore::open(dir).map_err(|e| format!("the store does not open: {e}"))?;
    let result = tasks(&store, progress).await;
    store.close().await;
    result
}

async fn tasks(store: &EmbeddedStore, progress: &Progress) -> Result<Outcome, String> {
    let holds = store.list_holds().await.map_err(|e| e.to_string())?;
    let mut outcome = Outcome::default();
    for (task, p) in progress.tasks.iter().enumerate() {
        let footprint = Footprint::of(&p.steps);
        let Some(own) = footprint.product else {
            continue;
        };
        let mut seen = read(store, &footprint).await?;
        seen.holds = holds
            .iter()
            .filter(|h| h.product == own)
            .map(|h| (h.order, h.quantity))
            .collect();
        invariant(&seen).map_err(|e| format!("task {task}: {e}"))?;
        let acked = after(&p.steps[..p.acked], &footprint);
        outcome.acked += p.acked;
        if seen == acked {
            if p.steps.len() > p.acked {
                outcome.in_flight_lost += 1;
            }
            continue;
        }
        if p.steps.len() > p.acked && seen == after(&p.steps[..=p.acked], &footprint) {
            outcome.in_flight_kept += 1;
            continue;
        }
        return Err(format!(
            "task {task}: the image holds neither the {} acknowledged steps nor those and the \
             one in flight ({:?})\n  expected {acked:?}\n  found    {seen:?}",
            p.acked,
            p.steps.get(p.acked)
        ));
    }
    Ok(outcome)
}

/// One task's part of the store, holds aside (they are read once for all).
async fn read(store: &EmbeddedStore, footprint: &Footprint) -> Result<TaskState, String> {
    let failed = |e: souk_actors::store::StoreError| e.to_string();
    let mut state = TaskState::default();
    if let Some(own) = footprint.product {
        state.level = store.get_stock(own).await.map_err(failed)?;
    }
    for order in &footprint.orders {
        if let Some(found) = store.get_order(*order).await.map_err(failed)? {
            state.orders.insert(*order, found.timeline.len());
        }
        for sale in store.order_sales(*order).await.map_err(failed)? {
            state.sales.insert(sale.order, sale.quantity);
        }
    }
    for product in &footprint.products {
        if store.get_product(*product).await.map_err(failed)?.is_some() {
            let stock = store.get_stock(*product).await.map_err(failed)?;
            state.products.insert(*product, stock);
        }
    }
    Ok(state)
}

/// Every unit of the product is on hand, held or sold, and counted once.
fn invariant(state: &TaskState) -> Result<(), String> {
    let Some(level) = state.level else {
        return Ok(());
    };
    let held: u64 = state.holds.values().map(|q| u64::from(*q)).sum();
    let sold: u64 = state.sales.values().map(|q| u64::from(*q)).sum();
    if level.on_hand != ON_HAND || level.reserved != held || level.sold != sold {
        return Err(format!(
            "stock invariant broken: {level:?}, but holds add up to {held} and sales to {sold}"
        ));
    }
    Ok(())
}
