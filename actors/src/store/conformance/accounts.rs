//! Cases for accounts, addresses and refresh tokens.

use std::collections::HashSet;
use std::sync::Arc;

use souk_models::{Email, Role, Tier, UserId};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::store::{Rotation, Store, StoreError};

use super::fixtures::*;

pub async fn users_round_trip(store: Arc<dyn Store>) {
    let u = user("ada@example.com", Role::Customer);
    ok(store.create_user(&u).await);
    assert_eq!(ok(store.get_user(u.id).await), Some(u.clone()));
    assert_eq!(
        ok(store.find_user_by_email(&u.email).await),
        Some(u.clone())
    );
    assert_eq!(ok(store.get_user(UserId::new()).await), None);
    let other = ok(Email::parse("nobody@example.com"));
    assert_eq!(ok(store.find_user_by_email(&other).await), None);
}

pub async fn duplicate_email_conflicts(store: Arc<dyn Store>) {
    ok(store
        .create_user(&user("ada@example.com", Role::Customer))
        .await);
    let again = store
        .create_user(&user("ADA@example.com", Role::Seller))
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    assert_eq!(ok(store.list_users(None, None, 10).await).len(), 1);
}

pub async fn concurrent_duplicate_registrations(store: Arc<dyn Store>) {
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .create_user(&user("race@example.com", Role::Customer))
                    .await
            })
        })
        .collect();
    let mut won = 0;
    for task in tasks {
        match ok(task.await) {
            Ok(()) => won += 1,
            Err(StoreError::Conflict(_)) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(won, 1);
    assert_eq!(ok(store.list_users(None, None, 100).await).len(), 1);
}

pub async fn concurrent_distinct_writes_all_land(store: Arc<dyn Store>) {
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let u = user(&format!("user{i}@example.com"), Role::Customer);
                store.create_user(&u).await.map(|()| u.id)
            })
        })
        .collect();
    let mut ids = HashSet::new();
    for task in tasks {
        ids.insert(ok(ok(task.await)));
    }
    for id in &ids {
        assert!(ok(store.get_user(*id).await).is_some());
    }
    assert_eq!(ok(store.list_users(None, None, 1000).await).len(), 200);
}

pub async fn update_user_moves_email_index(store: Arc<dyn Store>) {
    let mut a = user("a@example.com", Role::Customer);
    let b = user("b@example.com", Role::Customer);
    ok(store.create_user(&a).await);
    ok(store.create_user(&b).await);
    a.email = ok(Email::parse("a2@example.com"));
    a.tier = Tier::Premium;
    ok(store.update_user(&a).await);
    assert_eq!(
        ok(store.get_user(a.id).await).map(|u| u.tier),
        Some(Tier::Premium)
    );
    assert_eq!(
        ok(store.find_user_by_email(&a.email).await).map(|u| u.id),
        Some(a.id)
    );
    let old = ok(Email::parse("a@example.com"));
    assert_eq!(ok(store.find_user_by_email(&old).await), None);
    // The freed address can be registered again.
    ok(store
        .create_user(&user("a@example.com", Role::Customer))
        .await);
    let mut clash = a.clone();
    clash.email = b.email.clone();
    assert!(matches!(
        store.update_user(&clash).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        ok(store.get_user(a.id).await).map(|u| u.email),
        Some(a.email.clone())
    );
    let ghost = user("ghost@example.com", Role::Customer);
    assert_eq!(store.update_user(&ghost).await, Err(StoreError::NotFound));
}

pub async fn list_users_paginates_and_filters(store: Arc<dyn Store>) {
    let mut created = Vec::new();
    for i in 0..7 {
        let role = if i % 2 == 0 {
            Role::Customer
        } else {
            Role::Seller
        };
        let u = user(&format!("u{i}@example.com"), role);
        ok(store.create_user(&u).await);
        created.push(u.id);
    }
    let first = ok(store.list_users(None, None, 3).await);
    let second = ok(store.list_users(None, first.last().map(|u| u.id), 3).await);
    let third = ok(store.list_users(None, second.last().map(|u| u.id), 3).await);
    let all: Vec<UserId> = [first, second, third]
        .concat()
        .iter()
        .map(|u| u.id)
        .collect();
    assert_eq!(all, created);
    let sellers = ok(store.list_users(Some(Role::Seller), None, 10).await);
    assert_eq!(sellers.len(), 3);
    assert!(sellers.iter().all(|u| u.role == Role::Seller));
}

pub async fn addresses_are_owned_and_bounded(store: Arc<dyn Store>) {
    let (a, b) = (UserId::new(), UserId::new());
    let first = address(a, "1 First St");
    ok(store.add_address(&first, 2).await);
    ok(store.add_address(&address(a, "2 Second St"), 2).await);
    let third = store.add_address(&address(a, "3 Third St"), 2).await;
    assert!(matches!(third, Err(StoreError::LimitReached(_))));
    ok(store.add_address(&address(b, "9 Other St"), 2).await);
    let mine = ok(store.list_addresses(a).await);
    let lines: Vec<_> = mine.iter().map(|x| x.fields.line1.as_str()).collect();
    assert_eq!(lines, ["1 First St", "2 Second St"]);
    assert!(
        !ok(store.delete_address(b, first.id).await),
        "b must not delete a's address"
    );
    assert!(ok(store.delete_address(a, first.id).await));
    assert!(!ok(store.delete_address(a, first.id).await));
    assert_eq!(ok(store.list_addresses(a).await).len(), 1);
    assert_eq!(ok(store.list_addresses(b).await).len(), 1);
}

pub async fn refresh_rotation_and_reuse(store: Arc<dyn Store>) {
    let user = UserId::new();
    let family = Uuid::new_v4();
    let t1 = token(user, family, Duration::days(1));
    ok(store.put_refresh_token(&t1).await);
    let t2 = token(user, family, Duration::days(1));
    let now = OffsetDateTime::now_utc();
    assert_eq!(
        ok(store.rotate_refresh_token(&t1.hash, &t2, now).await),
        Rotation::Rotated(user, family)
    );
    // Presenting t1 again is reuse: the family, t2 included, is revoked.
    let t3 = token(user, family, Duration::days(1));
    assert_eq!(
        ok(store.rotate_refresh_token(&t1.hash, &t3, now).await),
        Rotation::Reused(user)
    );
    let t4 = token(user, family, Duration::days(1));
    assert_eq!(
        ok(store.rotate_refresh_token(&t2.hash, &t4, now).await),
        Rotation::Invalid
    );
    assert_eq!(
        ok(store.rotate_refresh_token(&t3.hash, &t4, now).await),
        Rotation::Invalid
    );
    assert_eq!(
        ok(store.rotate_refresh_token("unknown", &t4, now).await),
        Rotation::Invalid
    );
    // Logout revokes a live family and is idempotent.
    let other = token(user, Uuid::new_v4(), Duration::days(1));
    ok(store.put_refresh_token(&other).await);
    ok(store.revoke_refresh_family(&other.hash).await);
    ok(store.revoke_refresh_family(&other.hash).await);
    ok(store.revoke_refresh_family("unknown").await);
    let next = token(user, other.family, Duration::days(1));
    assert_eq!(
        ok(store.rotate_refresh_token(&other.hash, &next, now).await),
        Rotation::Invalid
    );
}

pub async fn concurrent_rotation_has_one_winner(store: Arc<dyn Store>) {
    let user = UserId::new();
    let family = Uuid::new_v4();
    let t1 = token(user, family, Duration::days(1));
    ok(store.put_refresh_token(&t1).await);
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (store, hash) = (store.clone(), t1.hash.clone());
            tokio::spawn(async move {
                let next = token(user, family, Duration::days(1));
                store
                    .rotate_refresh_token(&hash, &next, OffsetDateTime::now_utc())
                    .await
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(ok(ok(task.await)));
    }
    let rotated = outcomes
        .iter()
        .filter(|o| matches!(o, Rotation::Rotated(u, _) if *u == user))
        .count();
    assert_eq!(rotated, 1, "{outcomes:?}");
}

pub async fn expired_refresh_tokens_are_invalid_and_purged(store: Arc<dyn Store>) {
    let user = UserId::new();
    let old = token(user, Uuid::new_v4(), Duration::seconds(-5));
    let live = token(user, Uuid::new_v4(), Duration::days(1));
    ok(store.put_refresh_token(&old).await);
    ok(store.put_refresh_token(&live).await);
    let now = OffsetDateTime::now_utc();
    let next = token(user, old.family, Duration::days(1));
    assert_eq!(
        ok(store.rotate_refresh_token(&old.hash, &next, now).await),
        Rotation::Invalid
    );
    assert_eq!(ok(store.purge_expired_refresh_tokens(now).await), 1);
    let next = token(user, live.family, Duration::days(1));
    assert_eq!(
        ok(store.rotate_refresh_token(&live.hash, &next, now).await),
        Rotation::Rotated(user, live.family)
    );
}
