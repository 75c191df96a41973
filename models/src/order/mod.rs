//! Orders: the lifecycle state machine and the record of what was bought.
//!
//! `pending_payment → paid → fulfilling → shipped → delivered`, with `cancelled`,
//! `expired` and `refunded` as ends. [`OrderStatus::apply`] is the only place that
//! decides a transition; everything else asks it.

mod record;
mod returns;
mod worth;

use serde::{Deserialize, Serialize};

pub use record::{Order, OrderLine, Shipment, TimelineEntry, TimelineKind};
pub use returns::{Return, ReturnLine, ReturnStatus};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    PendingPayment,
    Paid,
    Fulfilling,
    Shipped,
    Delivered,
    Cancelled,
    Expired,
    Refunded,
}

/// Something that happens to an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderEvent {
    PaymentConfirmed,
    PaymentDeadlinePassed,
    Cancel,
    StartFulfilment,
    Ship,
    Deliver,
    Refund,
}

/// What applying an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// The order moved to this state.
    To(OrderStatus),
    /// The order is already where this event leads (a duplicate); nothing changes.
    Unchanged,
}

/// The event is not allowed from the current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {event:?} an order that is {from:?}")]
pub struct TransitionError {
    pub from: OrderStatus,
    pub event: OrderEvent,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 8] = [
        OrderStatus::PendingPayment,
        OrderStatus::Paid,
        OrderStatus::Fulfilling,
        OrderStatus::Shipped,
        OrderStatus::Delivered,
        OrderStatus::Cancelled,
        OrderStatus::Expired,
        OrderStatus::Refunded,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            OrderStatus::PendingPayment => "pending_payment",
            OrderStatus::Paid => "paid",
            OrderStatus::Fulfilling => "fulfilling",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Expired => "expired",
            OrderStatus::Refunded => "refunded",
        }
    }

    /// True for `cancelled`, `expired` and `refunded`, which nothing leaves.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            OrderStatus::Cancelled | OrderStatus::Expired | OrderStatus::Refunded
        )
    }

    /// The state machine. Every (state, event) pair is matched explicitly so adding
    /// a state or event fails to compile until its transitions are decided.
    pub fn apply(self, event: OrderEvent) -> Result<Transition, TransitionError> {
        use OrderEvent as E;
        use OrderStatus as S;
        let to = |s| Ok(Transition::To(s));
        let same = Ok(Transition::Unchanged);
        let refuse = Err(TransitionError { from: self, event });
        match (self, event) {
            (S::PendingPayment, E::PaymentConfirmed) => to(S::Paid),
            (S::PendingPayment, E::PaymentDeadlinePassed) => to(S::Expired),
            (S::PendingPayment, E::Cancel) => to(S::Cancelled),
            (S::PendingPayment, E::StartFulfilment | E::Ship | E::Deliver | E::Refund) => refuse,

            (S::Paid, E::PaymentConfirmed) => same,
            (S::Paid, E::PaymentDeadlinePassed) => same,
            (S::Paid, E::Cancel) => to(S::Cancelled),
            (S::Paid, E::StartFulfilment) => to(S::Fulfilling),
            (S::Paid, E::Ship) => to(S::Shipped),
            (S::Paid, E::Refund) => to(S::Refunded),
            (S::Paid, E::Deliver) => refuse,

            (S::Fulfilling, E::PaymentConfirmed | E::PaymentDeadlinePassed) => same,
            (S::Fulfilling, E::StartFulfilment) => same,
            (S::Fulfilling, E::Cancel) => to(S::Cancelled),
            (S::Fulfilling, E::Ship) => to(S::Shipped),
            (S::Fulfilling, E::Refund) => to(S::Refunded),
            (S::Fulfilling, E::Deliver) => refuse,

            (S::Shipped, E::PaymentConfirmed | E::PaymentDeadlinePassed) => same,
            (S::Shipped, E::Ship) => same,
            (S::Shipped, E::Deliver) => to(S::Delivered),
            (S::Shipped, E::Refund) => to(S::Refunded),
            (S::Shipped, E::Cancel | E::StartFulfilment) => refuse,

            (S::Delivered, E::PaymentConfirmed | E::PaymentDeadlinePassed) => same,
            (S::Delivered, E::Deliver) => same,
            (S::Delivered, E::Refund) => to(S::Refunded),
            (S::Delivered, E::Cancel | E::StartFulfilment | E::Ship) => refuse,

            (S::Cancelled, E::Cancel) => same,
            (S::Expired, E::PaymentDeadlinePassed) => same,
            (S::Refunded, E::Refund) => same,
            (S::Cancelled | S::Expired | S::Refunded, _) => refuse,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderEvent as E;
    use OrderStatus as S;

    const EVENTS: [OrderEvent; 7] = [
        E::PaymentConfirmed,
        E::PaymentDeadlinePassed,
        E::Cancel,
        E::StartFulfilment,
        E::Ship,
        E::Deliver,
        E::Refund,
    ];

    /// The full table, written out independently of `apply`: `Some(s)` moves to
    /// `s`, `Some(same state)` is a no-op, `None` is refused.
    fn expected(from: S, event: E) -> Option<S> {
        let table: &[(S, E, S)] = &[
            (S::PendingPayment, E::PaymentConfirmed, S::Paid),
            (S::PendingPayment, E::PaymentDeadlinePassed, S::Expired),
            (S::PendingPayment, E::Cancel, S::Cancelled),
            (S::Paid, E::PaymentConfirmed, S::Paid),
            (S::Paid, E::PaymentDeadlinePassed, S::Paid),
            (S::Paid, E::Cancel, S::Cancelled),
            (S::Paid, E::StartFulfilment, S::Fulfilling),
            (S::Paid, E::Ship, S::Shipped),
            (S::Paid, E::Refund, S::Refunded),
            (S::Fulfilling, E::PaymentConfirmed, S::Fulfilling),
            (S::Fulfilling, E::PaymentDeadlinePassed, S::Fulfilling),
            (S::Fulfilling, E::StartFulfilment, S::Fulfilling),
            (S::Fulfilling, E::Cancel, S::Cancelled),
            (S::Fulfilling, E::Ship, S::Shipped),
            (S::Fulfilling, E::Refund, S::Refunded),
            (S::Shipped, E::PaymentConfirmed, S::Shipped),
            (S::Shipped, E::PaymentDeadlinePassed, S::Shipped),
            (S::Shipped, E::Ship, S::Shipped),
            (S::Shipped, E::Deliver, S::Delivered),
            (S::Shipped, E::Refund, S::Refunded),
            (S::Delivered, E::PaymentConfirmed, S::Delivered),
            (S::Delivered, E::PaymentDeadlinePassed, S::Delivered),
            (S::Delivered, E::Deliver, S::Delivered),
            (S::Delivered, E::Refund, S::Refunded),
            (S::Cancelled, E::Cancel, S::Cancelled),
            (S::Expired, E::PaymentDeadlinePassed, S::Expired),
            (S::Refunded, E::Refund, S::Refunded),
        ];
        table
            .iter()
            .find(|(f, e, _)| *f == from && *e == event)
            .map(|(_, _, to)| *to)
    }

    #[test]
    fn every_state_event_pair_matches_the_table() {
        for from in S::ALL {
            for event in EVENTS {
                let got = from.apply(event);
                match expected(from, event) {
                    Some(to) if to == from => {
                        assert_eq!(got, Ok(Transition::Unchanged), "{from:?}+{event:?}")
                    }
                    Some(to) => assert_eq!(got, Ok(Transition::To(to)), "{from:?}+{event:?}"),
                    None => assert_eq!(
                        got,
                        Err(TransitionError { from, event }),
                        "{from:?}+{event:?}"
                    ),
                }
            }
        }
    }

    #[test]
    fn final_states_are_never_left() {
        for from in S::ALL.into_iter().filter(S::is_final) {
            for event in EVENTS {
                assert!(!matches!(from.apply(event), Ok(Transition::To(_))));
            }
        }
    }

    #[test]
    fn happy_path_reaches_delivered() {
        let mut s = S::PendingPayment;
        for e in [E::PaymentConfirmed, E::StartFulfilment, E::Ship, E::Deliver] {
            if let Ok(Transition::To(next)) = s.apply(e) {
                s = next;
            }
        }
        assert_eq!(s, S::Delivered);
    }

    #[test]
    fn status_names_match_serde() {
        for s in S::ALL {
            assert_eq!(
                serde_json::to_string(&s).ok(),
                Some(format!("\"{}\"", s.as_str()))
            );
        }
    }
}
