//! Who may move an order, and which steps its state allows.

use super::*;

#[tokio::test]
async fn the_lifecycle_respects_roles_and_refuses_illegal_steps() {
    let w = world(5).await;
    let id = place(&w, 1).await;
    let stranger = Caller {
        user_id: UserId::new(),
        role: Role::Customer,
    };
    let admin = Caller {
        user_id: UserId::new(),
        role: Role::Admin,
    };
    let other_seller = Caller {
        user_id: UserId::new(),
        role: Role::Seller,
    };
    assert_eq!(
        w.orders.get(id, stranger).await.err(),
        Some(OrderError::NotFound),
        "existence does not leak"
    );
    assert_eq!(
        w.orders.get(id, other_seller).await.err(),
        Some(OrderError::NotFound)
    );
    let shipment = Shipment {
        carrier: "Parcelforce".into(),
        tracking_number: "PF123".into(),
        estimated_delivery: OffsetDateTime::now_utc().date(),
    };
    let early = w.orders.ship(id, w.seller, shipment.clone()).await;
    assert!(matches!(
        early,
        Err(OrderError::Transition {
            from: OrderStatus::PendingPayment,
            ..
        })
    ));
    w.orders
        .pay(id, w.buyer, TEST_CARD_OK.into())
        .await
        .expect("the order is paid");
    assert!(matches!(
        w.orders.ship(id, w.buyer, shipment.clone()).await,
        Err(OrderError::Forbidden(_))
    ));
    let shipped = w
        .orders
        .ship(id, w.seller, shipment.clone())
        .await
        .expect("the seller ships the paid order");
    assert_eq!(shipped.shipment(), Some(&shipment));
    assert!(matches!(
        w.orders.cancel(id, w.buyer).await,
        Err(OrderError::Transition {
            from: OrderStatus::Shipped,
            ..
        })
    ));
    let address = shipped.shipping_address.clone();
    assert!(matches!(
        w.orders.change_address(id, w.buyer, address).await,
        Err(OrderError::AddressLocked { .. })
    ));
    w.orders
        .deliver(id, w.seller)
        .await
        .expect("the seller delivers the order");
    assert!(matches!(
        w.orders.refund(id, w.buyer).await,
        Err(OrderError::Forbidden(_))
    ));
    let refunded = w
        .orders
        .refund(id, admin)
        .await
        .expect("an admin refunds the order");
    assert_eq!(refunded.status(), OrderStatus::Refunded);
    assert!(matches!(
        refunded.timeline.last().map(|e| &e.kind),
        Some(TimelineKind::Refunded { .. })
    ));
    assert_eq!(
        level(&w).await,
        StockLevel {
            on_hand: 5,
            reserved: 0,
            sold: 1
        },
        "delivered goods stay sold"
    );
}
