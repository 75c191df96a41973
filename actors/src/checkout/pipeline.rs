//! Processing one ticket: price the cart afresh, reserve stock, place the order
//! with its payment, clear the cart. Every step is idempotent under the ticket's
//! id (which is the order's id), so a ticket re-processed after a crash never
//! makes a second order.

use std::sync::Arc;
use std::time::Duration;

use souk_models::{ProductId, ProductStatus, TaxTable, Ticket, TicketStatus};
use time::OffsetDateTime;

use super::charges::{Uncharged, charge, order_line};
use crate::cart::CartHandle;
use crate::catalog::Catalog;
use crate::events::EventBus;
use crate::inventory::{InventoryError, InventoryHandle, Settlement};
use crate::order::{NewOrder, OrderHandle};
use crate::store::Store;

#[derive(Clone)]
pub(crate) struct Pipeline {
    pub store: Arc<dyn Store>,
    pub catalog: Arc<Catalog>,
    pub carts: CartHandle,
    pub inventory: InventoryHandle,
    pub orders: OrderHandle,
    pub payment_window: Duration,
    /// See `CheckoutConfig::expiry_warning`.
    pub expiry_warning: Duration,
    /// The marketplace's tax rules.
    pub taxes: TaxTable,
    pub events: EventBus,
}

fn rejected(reason: &str) -> TicketStatus {
    TicketStatus::Rejected {
        reason: reason.to_owned(),
    }
}

impl Pipeline {
    /// Processes `ticket`. One `stored_before` (read back from the store after
    /// a restart) may have placed its order already; a new one cannot have.
    pub(crate) async fn process(&self, ticket: &Ticket, stored_before: bool) -> TicketStatus {
        let order_id = ticket.order_id();
        if stored_before && let Some(done) = self.placed_before(ticket).await {
            return done;
        }
        let cart = match self.carts.get(ticket.user_id).await {
            Ok(cart) if !cart.lines.is_empty() => cart,
            // Emptied by this ticket's own order when a run of it ended
            // unanswered (its dispatcher's node died) and it was sent again.
            Ok(_) => {
                let done = self.placed_before(ticket).await;
                return done.unwrap_or_else(|| rejected("empty_cart"));
            }
            Err(_) => return rejected("unavailable"),
        };
        let mut lines = Vec::with_capacity(cart.lines.len());
        let mut categories = Vec::with_capacity(cart.lines.len());
        for line in &cart.lines {
            let Some(entry) = self.catalog.get_any(line.product_id) else {
                return rejected("product_unavailable");
            };
            if entry.product.status != ProductStatus::Active {
                return rejected("product_unavailable");
            }
            let (ordered, category) = order_line(line, &entry);
            lines.push(ordered);
            categories.push(category);
        }
        let country = &ticket.shipping_address.country;
        let store = self.store.as_ref();
        let charges = match charge(store, &self.taxes, &mut lines, &categories, country).await {
            Ok(charges) => charges,
            Err(Uncharged::TooLarge) => return rejected("total_too_large"),
            Err(Uncharged::Unavailable) => return rejected("unavailable"),
        };
        let deadline = OffsetDateTime::now_utc() + self.payment_window;
        let wanted: Vec<(ProductId, u32)> = lines
            .iter()
            .map(|l| (l.product_id, l.quantity.get()))
            .collect();
        match self.inventory.reserve(order_id, &wanted, deadline).await {
            Ok(()) => {}
            Err(InventoryError::OutOfStock { .. }) => return rejected("out_of_stock"),
            Err(e) => {
                tracing::warn!(ticket = %ticket.id, error = %e, "reservation failed");
                return rejected("unavailable");
            }
        }
        let new = NewOrder {
            id: order_id,
            buyer: ticket.user_id,
            lines,
            address: ticket.shipping_address.clone(),
            payment_deadline: deadline,
            charges: Some(charges),
            expiry_warning_at: (!self.expiry_warning.is_zero())
                .then(|| deadline - self.expiry_warning),
        };
        if let Err(e) = self.orders.place(new).await {
            tracing::warn!(ticket = %ticket.id, error = %e, "placing the order failed; releasing its stock");
            let products: Vec<ProductId> = wanted.iter().map(|(p, _)| *p).collect();
            let _ = self
                .inventory
                .settle(order_id, &products, Settlement::Release)
                .await;
            return rejected("unavailable");
        }
        // The order's write emptied the stored cart; the cart's own queue
        // empties it in memory before anything the buyer does next.
        if !self.carts.ordered(ticket.user_id, cart.updated_at).await {
            self.clear_cart(ticket).await;
        }
        TicketStatus::Completed { order_id }
    }

    /// The outcome of a ticket whose order an earlier run placed (before a
    /// crash, or before its answer was lost): completed, with the cart
    /// cleared and the ticket recorded as done. `None` if there is no order.
    async fn placed_before(&self, ticket: &Ticket) -> Option<TicketStatus> {
        let order_id = ticket.order_id();
        match self.store.get_order(order_id).await {
            Ok(Some(_)) => {
                self.clear_cart(ticket).await;
                let status = TicketStatus::Completed { order_id };
                self.record(ticket.id, &status).await;
                Some(status)
            }
            Ok(None) => None,
            Err(e) => {
                tracing::warn!(ticket = %ticket.id, error = %e, "checkout could not read the store");
                Some(rejected("unavailable"))
            }
        }
    }

    /// Stores a ticket's outcome. Placing an order completes its ticket in the
    /// same write, so only other outcomes need this.
    pub(crate) async fn record(&self, ticket: uuid::Uuid, status: &TicketStatus) {
        if let Err(e) = self.store.finish_ticket(ticket, status).await {
            // Still queued in the store: processed again (idempotently) after a restart.
            tracing::error!(%ticket, error = %e, "could not record a checkout outcome");
        }
    }

    async fn clear_cart(&self, ticket: &Ticket) {
        if let Err(e) = self.carts.clear(ticket.user_id).await {
            tracing::warn!(ticket = %ticket.id, error = %e, "order placed but the cart was not cleared");
        }
    }

    /// True when every product in the user's cart is sold out, so waiting in
    /// line cannot help.
    pub(crate) fn all_sold_out(&self, products: &[ProductId]) -> bool {
        !products.is_empty()
            && products.iter().all(|p| {
                self.catalog
                    .get_any(*p)
                    .is_none_or(|e| e.stock.available() == 0)
            })
    }
}
