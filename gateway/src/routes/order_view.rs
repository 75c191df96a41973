//! An order as its caller may see it: the buyer and admins all of it,
//! sellers their own lines, and only the buyer what confirms the payment.

use serde::Serialize;
use souk_models::{
    AddressInput, Caller, Money, Order, OrderId, OrderLine, OrderStatus, Return, ReturnLine, Role,
    Shipment, TimelineEntry, Timestamp, UserId,
};

/// An order as the caller may see it: sellers see only their own lines.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrderView {
    pub id: OrderId,
    pub buyer_id: UserId,
    pub status: OrderStatus,
    pub lines: Vec<OrderLine>,
    /// The lines shown, at their order prices.
    pub subtotal: Money,
    /// Shipping, all sellers' (to the buyer and admins only).
    pub shipping: Option<Money>,
    /// Tax: on top of the subtotal, or part of it when `tax_included` (to
    /// the buyer and admins only).
    pub tax: Option<Money>,
    pub tax_included: bool,
    /// What the buyer is charged (to sellers: their lines' subtotal).
    pub total: Money,
    pub shipping_address: AddressInput,
    pub shipment: Option<Shipment>,
    /// Pay before this, or the order expires and its stock is released.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub payment_deadline: Timestamp,
    pub timeline: Vec<TimelineEntry>,
    /// Units the buyer asked to send back, with each decision (sellers see
    /// the returns of their lines).
    pub returns: Vec<Return>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// To the buyer, while the order awaits payment: what their client
    /// confirms the payment with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment: Option<PaymentView>,
}

/// What a buyer's client needs to confirm the payment itself (with Stripe,
/// Stripe.js's `confirmCardPayment(client_secret)` under `publishable_key`).
#[derive(Serialize, utoipa::ToSchema)]
pub struct PaymentView {
    /// `sandbox` or `stripe`.
    pub provider: &'static str,
    pub client_secret: String,
    /// Stripe's publishable key (`pk_…`); absent with the sandbox.
    pub publishable_key: Option<String>,
}

impl std::fmt::Debug for PaymentView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaymentView")
            .field("provider", &self.provider)
            .field("publishable_key", &self.publishable_key)
            .finish_non_exhaustive()
    }
}

impl OrderView {
    /// Names the provider and its publishable key in [`Self::payment`].
    pub fn with_provider(mut self, payments: &dyn souk_actors::PaymentProvider) -> Self {
        if let Some(payment) = &mut self.payment {
            payment.provider = payments.name();
            payment.publishable_key = payments.publishable_key();
        }
        self
    }
}

/// The order as `caller` may see it. Takes the order, so what is shown moves
/// rather than being copied.
pub fn view(order: Order, caller: Caller) -> OrderView {
    let full = caller.role == Role::Admin || caller.user_id == order.buyer_id;
    let status = order.status();
    let payment = match (&order.client_secret, status) {
        (Some(secret), OrderStatus::PendingPayment) if caller.user_id == order.buyer_id => {
            Some(PaymentView {
                provider: "sandbox",
                client_secret: secret.clone(),
                publishable_key: None,
            })
        }
        _ => None,
    };
    let shipment = order.shipment().cloned();
    let mut returns = order.returns();
    if !full {
        let theirs = |line: &ReturnLine| {
            let sold = |l: &&OrderLine| l.product_id == line.product_id;
            order
                .lines
                .iter()
                .filter(sold)
                .any(|l| l.seller_id == caller.user_id)
        };
        returns.retain(|r| r.lines.iter().any(theirs));
    }
    let shipping_address = match order.changed_address().cloned() {
        Some(changed) => changed,
        None => order.shipping_address,
    };
    let lines: Vec<OrderLine> = if full {
        order.lines
    } else {
        order
            .lines
            .into_iter()
            .filter(|l| l.seller_id == caller.user_id)
            .collect()
    };
    let currency = order.total.currency();
    let subtotal = lines.iter().fold(Money::zero(currency), |sum, l| {
        l.unit_price
            .times(l.quantity.get())
            .and_then(|t| sum.plus(t))
            .unwrap_or(sum)
    });
    let charges = order.charges;
    let (shipping, tax, total) = if full {
        let zero = Money::zero(currency);
        let shipping = charges.map_or(zero, |c| c.shipping);
        (
            Some(shipping),
            Some(charges.map_or(zero, |c| c.tax)),
            order.total,
        )
    } else {
        (None, None, subtotal)
    };
    OrderView {
        id: order.id,
        buyer_id: order.buyer_id,
        status,
        lines,
        subtotal,
        shipping,
        tax,
        tax_included: charges.is_some_and(|c| c.tax_included),
        total,
        shipping_address,
        shipment,
        payment_deadline: order.payment_deadline,
        timeline: order.timeline,
        returns,
        created_at: order.created_at,
        payment,
    }
}
