//! One line for each kept notification, from its event's data.

use serde_json::Value;
use souk_models::NotificationKind;

/// An order's short reference: the first eight characters of its id.
fn reference(data: &Value) -> String {
    let id = data["order_id"].as_str().unwrap_or_default();
    id.chars().take(8).collect::<String>().to_uppercase()
}

pub(super) fn title(kind: NotificationKind, data: &Value) -> String {
    let order = reference(data);
    match kind {
        NotificationKind::OrderStatus => {
            let status = data["status"]
                .as_str()
                .unwrap_or("updated")
                .replace('_', " ");
            format!("Order {order} is {status}")
        }
        NotificationKind::Payment => match data["outcome"].as_str() {
            Some("succeeded") => format!("Payment for order {order} received"),
            _ => {
                let reason = data["reason"].as_str().unwrap_or("declined");
                format!("Payment for order {order} declined: {reason}")
            }
        },
        NotificationKind::NewOrder => format!("New order {order}"),
        NotificationKind::ReturnRequested => format!("Return asked for on order {order}"),
        NotificationKind::LowStock => {
            let title = data["title"].as_str().unwrap_or("A product");
            let left = data["available"].as_u64().unwrap_or(0);
            format!("Low stock: {title} ({left} left)")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn titles_say_what_happened() {
        let order = "0190a1b2-0000-7000-8000-000000000001";
        let status = json!({ "order_id": order, "status": "pending_payment" });
        assert_eq!(
            title(NotificationKind::OrderStatus, &status),
            "Order 0190A1B2 is pending payment"
        );
        let declined =
            json!({ "order_id": order, "outcome": "declined", "reason": "card_declined" });
        assert_eq!(
            title(NotificationKind::Payment, &declined),
            "Payment for order 0190A1B2 declined: card_declined"
        );
        let low = json!({ "title": "Lamp", "available": 2 });
        assert_eq!(
            title(NotificationKind::LowStock, &low),
            "Low stock: Lamp (2 left)"
        );
    }
}
