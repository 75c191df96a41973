//! A ticket processed again: in a cluster a node sends a ticket to the
//! dispatcher's node, which may place its order and die before answering;
//! the ticket then goes to the dispatcher's next node as it was.

use std::time::Duration;

use souk_models::{Ticket, TicketStatus, Tier};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{address, config, fill, shop, shopper};
use crate::store::TicketStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_sent_again_after_placing_its_order_completes_with_that_order() {
    let (shop, ids) = shop(&[5], config(4, 100, Duration::from_secs(30))).await;
    let user = shopper(Tier::Standard);
    fill(&shop, &user, &[(ids[0], 1)]).await;
    let ticket = Ticket {
        id: Uuid::now_v7(),
        user_id: user.id,
        idempotency_key: "sent-twice".into(),
        lane: "standard".into(),
        shipping_address: address(),
        status: TicketStatus::Queued,
        created_at: OffsetDateTime::now_utc(),
    };
    shop.store
        .create_ticket(&ticket)
        .await
        .expect("the ticket is stored");
    let pipeline = shop.checkout.pipeline_for_tests();
    let placed = TicketStatus::Completed {
        order_id: ticket.order_id(),
    };
    assert_eq!(pipeline.process(&ticket, false).await, placed);

    // Its answer was lost; the cart its order emptied does not make the
    // second run refuse it.
    assert_eq!(pipeline.process(&ticket, false).await, placed);
    let stored = shop.store.get_ticket(ticket.id).await.expect("it reads");
    assert_eq!(stored.map(|t| t.status), Some(placed));
    let level = shop.inventory.level(ids[0]).await.expect("the level reads");
    assert_eq!((level.reserved, level.available()), (1, 4), "one unit held");
}
