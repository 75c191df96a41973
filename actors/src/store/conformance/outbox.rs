//! Cases for the mail outbox.

use std::sync::Arc;

use souk_models::{OrderStatus, TimelineKind, UserId};
use time::{Duration, OffsetDateTime};

use crate::store::{MailAbout, MailState, OutboxMail, Store, StoreError};

use super::fixtures::ok;
use super::orders::order;

fn mail(to: UserId, due_in: Duration) -> OutboxMail {
    let now = OffsetDateTime::now_utc();
    let about = MailAbout::LowStock {
        product_id: souk_models::ProductId::new(),
        title: "Lamp".into(),
        available: 2,
        threshold: 5,
    };
    OutboxMail::new(to, about, now, now + due_in)
}

/// `mail` taken by a worker until `lease`.
fn sending(mail: &OutboxMail, lease: Duration) -> OutboxMail {
    OutboxMail {
        state: MailState::Sending,
        attempts: mail.attempts + 1,
        due_at: OffsetDateTime::now_utc() + lease,
        ..mail.clone()
    }
}

pub async fn outbox_lists_due_mail_soonest_first(store: Arc<dyn Store>) {
    let to = UserId::new();
    let later = mail(to, Duration::minutes(-1));
    let sooner = mail(to, Duration::minutes(-5));
    let future = mail(to, Duration::hours(1));
    ok(store
        .enqueue_mail(&[later.clone(), sooner.clone(), future.clone()])
        .await);
    let now = OffsetDateTime::now_utc();
    let due = ok(store.due_mail(now, 10).await);
    assert_eq!(due, vec![sooner.clone(), later.clone()]);
    assert_eq!(ok(store.due_mail(now, 1).await), vec![sooner.clone()]);
    // Enqueuing a stored id again changes nothing.
    let changed = OutboxMail {
        attempts: 7,
        ..sooner.clone()
    };
    ok(store.enqueue_mail(&[changed]).await);
    assert_eq!(ok(store.get_mail(sooner.id).await), Some(sooner.clone()));
    // Newest first, paged by id.
    let all = ok(store.list_mail(None, 10).await);
    assert_eq!(all, vec![future.clone(), sooner.clone(), later.clone()]);
    let page = ok(store.list_mail(Some(sooner.id), 10).await);
    assert_eq!(page, vec![later]);
    assert_eq!(ok(store.get_mail(uuid::Uuid::now_v7()).await), None);
}

pub async fn outbox_updates_only_the_mail_as_read(store: Arc<dyn Store>) {
    let pending = mail(UserId::new(), Duration::minutes(-1));
    ok(store.enqueue_mail(std::slice::from_ref(&pending)).await);
    let taken = sending(&pending, Duration::minutes(5));
    assert!(ok(store.update_mail(&pending, &taken).await));
    // A second worker that read it pending loses.
    let other = sending(&pending, Duration::minutes(6));
    assert!(!ok(store.update_mail(&pending, &other).await));
    assert_eq!(ok(store.get_mail(pending.id).await), Some(taken.clone()));
    // Sending under a live lease is not due; once it lapses it is.
    let now = OffsetDateTime::now_utc();
    assert!(ok(store.due_mail(now, 10).await).is_empty());
    let lapsed = ok(store.due_mail(now + Duration::minutes(10), 10).await);
    assert_eq!(lapsed, vec![taken.clone()]);
    // Finished mail is never due.
    let sent = OutboxMail {
        state: MailState::Sent,
        finished_at: Some(now),
        ..taken.clone()
    };
    assert!(ok(store.update_mail(&taken, &sent).await));
    assert!(ok(store.due_mail(now + Duration::days(1), 10).await).is_empty());
    let ghost = mail(UserId::new(), Duration::ZERO);
    assert_eq!(
        store.update_mail(&ghost, &ghost).await,
        Err(StoreError::NotFound)
    );
}

pub async fn racing_workers_take_a_mail_once(store: Arc<dyn Store>) {
    let pending = mail(UserId::new(), Duration::minutes(-1));
    ok(store.enqueue_mail(std::slice::from_ref(&pending)).await);
    let tries = (0..8i64).map(|i| {
        let (store, pending) = (store.clone(), pending.clone());
        tokio::spawn(async move {
            let next = sending(&pending, Duration::seconds(60 + i));
            store.update_mail(&pending, &next).await
        })
    });
    let mut won = 0;
    for t in futures::future::join_all(tries).await {
        won += usize::from(ok(ok(t)));
    }
    assert_eq!(won, 1, "exactly one worker takes the mail");
}

pub async fn order_mail_is_stored_only_with_its_cause(store: Arc<dyn Store>) {
    let o = order(UserId::new(), &[UserId::new()]);
    let placed = OutboxMail::new(
        o.buyer_id,
        MailAbout::Order {
            order_id: o.id,
            seq: 1,
            at: o.timeline[0].at,
        },
        o.created_at,
        o.created_at,
    );
    ok(store.create_order(&o, std::slice::from_ref(&placed)).await);
    assert_eq!(ok(store.get_mail(placed.id).await), Some(placed.clone()));
    // Placing the same order again stores neither it nor its mail.
    let again = mail(o.buyer_id, Duration::ZERO);
    assert!(matches!(
        store.create_order(&o, std::slice::from_ref(&again)).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(ok(store.get_mail(again.id).await), None);

    let now = OffsetDateTime::now_utc();
    let paid = o.entry(
        OrderStatus::Paid,
        TimelineKind::PaymentSucceeded { event: None },
        now,
    );
    let receipt = mail(o.buyer_id, Duration::ZERO);
    ok(store
        .append_order_entry(o.id, &paid, std::slice::from_ref(&receipt))
        .await);
    assert_eq!(ok(store.get_mail(receipt.id).await), Some(receipt));
    // An entry that loses the race for its place, or has no order, stores no mail.
    let lost = mail(o.buyer_id, Duration::ZERO);
    assert!(matches!(
        store
            .append_order_entry(o.id, &paid, std::slice::from_ref(&lost))
            .await,
        Err(StoreError::Conflict(_))
    ));
    let ghost = order(UserId::new(), &[UserId::new()]);
    assert_eq!(
        store
            .append_order_entry(ghost.id, &paid, std::slice::from_ref(&lost))
            .await,
        Err(StoreError::NotFound)
    );
    assert_eq!(ok(store.get_mail(lost.id).await), None);
}

pub async fn purging_mail_keeps_open_and_recent_mail(store: Arc<dyn Store>) {
    let to = UserId::new();
    let now = OffsetDateTime::now_utc();
    let finish = |m: OutboxMail, state| OutboxMail {
        state,
        finished_at: Some(now),
        ..m
    };
    let old_sent = finish(mail(to, Duration::ZERO), MailState::Sent);
    let old_failed = finish(mail(to, Duration::ZERO), MailState::Failed);
    let old_pending = mail(to, Duration::ZERO);
    ok(store
        .enqueue_mail(&[old_sent.clone(), old_failed.clone(), old_pending.clone()])
        .await);
    let cutoff = OffsetDateTime::now_utc() + Duration::milliseconds(1);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let recent_sent = finish(mail(to, Duration::ZERO), MailState::Sent);
    ok(store.enqueue_mail(std::slice::from_ref(&recent_sent)).await);
    assert_eq!(ok(store.purge_mail(cutoff, 1000).await), 2);
    assert_eq!(ok(store.get_mail(old_sent.id).await), None);
    assert_eq!(ok(store.get_mail(old_failed.id).await), None);
    assert_eq!(ok(store.get_mail(old_pending.id).await), Some(old_pending));
    assert_eq!(ok(store.get_mail(recent_sent.id).await), Some(recent_sent));
    assert_eq!(ok(store.purge_mail(cutoff, 1000).await), 0);
}
