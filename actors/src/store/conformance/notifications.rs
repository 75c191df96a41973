//! Cases for kept notifications.

use std::sync::Arc;

use serde_json::json;
use souk_models::{Notification, NotificationId, NotificationKind, UserId};
use time::{Duration, OffsetDateTime};

use crate::store::Store;

use super::fixtures::ok;

fn note(user: UserId, title: &str) -> Notification {
    Notification {
        id: NotificationId::new(),
        user_id: user,
        kind: NotificationKind::OrderStatus,
        title: title.into(),
        data: json!({ "status": "paid" }),
        created_at: OffsetDateTime::now_utc(),
        read_at: None,
    }
}

pub async fn notifications_page_newest_first_per_user(store: Arc<dyn Store>) {
    let (ada, bob) = (UserId::new(), UserId::new());
    let notes: Vec<Notification> = (0..5).map(|i| note(ada, &format!("n{i}"))).collect();
    let theirs = note(bob, "bob's");
    ok(store.add_notifications(&notes).await);
    ok(store.add_notifications(std::slice::from_ref(&theirs)).await);
    // Adding one again changes nothing.
    let changed = Notification {
        title: "changed".into(),
        ..notes[0].clone()
    };
    ok(store.add_notifications(&[changed]).await);
    let first = ok(store.list_notifications(ada, None, 3).await);
    let titles: Vec<&str> = first.iter().map(|n| n.title.as_str()).collect();
    assert_eq!(titles, ["n4", "n3", "n2"]);
    let rest = ok(store.list_notifications(ada, Some(first[2].id), 10).await);
    assert_eq!(rest, vec![notes[1].clone(), notes[0].clone()]);
    assert_eq!(
        ok(store.list_notifications(bob, None, 10).await),
        vec![theirs]
    );
    assert_eq!(ok(store.count_unread(ada, 100).await), 5);
    assert_eq!(ok(store.count_unread(ada, 2).await), 2);
}

pub async fn notifications_are_marked_read_by_their_owner(store: Arc<dyn Store>) {
    let (ada, bob) = (UserId::new(), UserId::new());
    let notes: Vec<Notification> = (0..3).map(|i| note(ada, &format!("n{i}"))).collect();
    let theirs = note(bob, "bob's");
    ok(store.add_notifications(&notes).await);
    ok(store.add_notifications(std::slice::from_ref(&theirs)).await);
    let now = OffsetDateTime::now_utc();
    // Bob's id in Ada's request is ignored.
    let ids = [notes[0].id, theirs.id];
    assert_eq!(ok(store.mark_read(ada, Some(&ids), now).await), 1);
    assert_eq!(ok(store.mark_read(ada, Some(&ids), now).await), 0);
    assert_eq!(ok(store.count_unread(ada, 100).await), 2);
    assert_eq!(ok(store.count_unread(bob, 100).await), 1);
    assert_eq!(ok(store.mark_read(ada, None, now).await), 2);
    assert_eq!(ok(store.count_unread(ada, 100).await), 0);
    let listed = ok(store.list_notifications(ada, None, 10).await);
    assert!(listed.iter().all(|n| n.read_at.is_some()));
}

pub async fn old_notifications_are_purged(store: Arc<dyn Store>) {
    let ada = UserId::new();
    let old = Notification {
        created_at: OffsetDateTime::now_utc() - Duration::days(100),
        ..note(ada, "old")
    };
    let recent = note(ada, "recent");
    ok(store.add_notifications(&[old, recent.clone()]).await);
    let cutoff = OffsetDateTime::now_utc() - Duration::days(90);
    assert_eq!(ok(store.purge_notifications(cutoff, 100).await), 1);
    assert_eq!(
        ok(store.list_notifications(ada, None, 10).await),
        vec![recent]
    );
    assert_eq!(ok(store.purge_notifications(cutoff, 100).await), 0);
}
