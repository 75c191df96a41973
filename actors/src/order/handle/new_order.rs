//! Placing a new order: its total (the lines', with checkout's shipping and
//! tax), its payment created with
//! the provider, the order and its first entries written at once (which
//! completes its checkout ticket), its actor started and its deadline armed.
//! Placing the same order again gives the same order and payment.

use souk_models::{Money, Order, OrderStatus, TimelineKind};
use time::OffsetDateTime;

use super::{NewOrder, OrderHandle, PlacedOrder};
use crate::order::OrderError;
use crate::order::actor::{OrderActor, OrderArgs, Services};
use crate::store::StoreError;

impl OrderHandle {
    pub(super) async fn place_here(&self, new: NewOrder) -> Result<PlacedOrder, OrderError> {
        let store = match &self.partitions {
            None => self.services.store.clone(),
            Some(partitions) => partitions.store_of(new.id).ok_or_else(|| {
                OrderError::Unavailable("the order's partition moved to another node".to_owned())
            })?,
        };
        let warn_at = new.expiry_warning_at;
        let currency = new
            .lines
            .first()
            .map(|l| l.unit_price.currency())
            .ok_or(OrderError::TotalTooLarge)?;
        let total = new
            .lines
            .iter()
            .try_fold(Money::zero(currency), |sum, line| {
                line.unit_price
                    .times(line.quantity.get())
                    .and_then(|t| sum.plus(t))
            });
        let lines_total = total.ok_or(OrderError::TotalTooLarge)?;
        // Checkout's charges are for these lines, or they are not used.
        let charges = new.charges.filter(|c| c.subtotal == lines_total);
        let total = charges.map_or(lines_total, |c| c.total);
        let intent = self.services.payments.create(new.id, total).await?;
        let now = OffsetDateTime::now_utc();
        let mut order = Order {
            id: new.id,
            buyer_id: new.buyer,
            lines: new.lines,
            total,
            charges,
            shipping_address: new.address,
            payment_deadline: new.payment_deadline,
            created_at: now,
            client_secret: Some(intent.client_secret.clone()),
            timeline: vec![],
        };
        for kind in [
            TimelineKind::Placed,
            TimelineKind::PaymentCreated {
                provider_ref: intent.provider_ref,
            },
        ] {
            let entry = order.entry(OrderStatus::PendingPayment, kind, now);
            order.timeline.push(entry);
        }
        let mail = crate::mail::for_new_order(&order, warn_at);
        match store.create_order(&order, &mail).await {
            Ok(()) => {}
            // Placed already by another run of the same checkout (its
            // ticket processed again after its dispatcher moved): the same
            // order, with the same payment.
            Err(StoreError::Conflict(_)) => {
                let placed = store.get_order(order.id).await?;
                return match placed {
                    Some(placed) if placed.buyer_id == order.buyer_id => Ok(PlacedOrder {
                        total: placed.total,
                        client_secret: placed.client_secret.unwrap_or(intent.client_secret),
                    }),
                    _ => Err(StoreError::Conflict(format!("order {} exists", order.id)).into()),
                };
            }
            Err(e) => return Err(e.into()),
        }
        for entry in &order.timeline {
            crate::order::publish::entry(&self.services.events, &order, entry);
        }
        let (id, deadline) = (order.id, order.payment_deadline);
        // The buyer pays next: start the order's actor with what was just
        // written instead of reading it back then.
        let args = OrderArgs {
            id,
            services: Services {
                store,
                ..self.services.clone()
            },
            placed: Some(order),
            runs_here: true,
        };
        if let Err(e) = self.directory.get_with(id, |_| (OrderActor, args)).await {
            tracing::warn!(order = %id, error = %e, "order placed; its actor starts on its next request");
        }
        self.deadlines.register(id, deadline);
        metrics::counter!("souk_order_transitions_total", "to" => "pending_payment").increment(1);
        Ok(PlacedOrder {
            total,
            client_secret: intent.client_secret,
        })
    }
}
