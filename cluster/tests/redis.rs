//! Membership and leases against a real `redis-server` started per test.
// clippy.toml allows unwrap/expect in `#[test]` functions only; the helpers
// here are test code too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::time::Duration;

use souk_cluster::testing::TestRedis;
use souk_cluster::{Beat, ClusterError, Grant, Leases, Member, Membership, Redis};
use time::OffsetDateTime;

const TIMEOUT: Duration = Duration::from_secs(2);

async fn redis() -> Option<(TestRedis, Redis)> {
    let server = TestRedis::start().await?;
    let client = Redis::connect(&server.url(), TIMEOUT).await.unwrap();
    Some((server, client))
}

fn granted(grant: Grant) -> souk_cluster::Lease {
    match grant {
        Grant::Granted(lease) => lease,
        Grant::Taken { by, .. } => panic!("taken by {by:?}"),
    }
}

fn member(id: &str, incarnation: &str) -> Member {
    let now = OffsetDateTime::now_utc();
    Member {
        id: id.to_owned(),
        incarnation: incarnation.to_owned(),
        advertise: format!("{id}.internal:8080"),
        version: "test".to_owned(),
        started_at: now,
        seen_at: now,
        load: BTreeMap::from([("orders_live".to_owned(), 3)]),
        owns: vec!["inventory/0".to_owned()],
    }
}

#[tokio::test]
async fn one_holder_at_a_time_and_the_next_grant_has_a_larger_epoch() {
    let Some((_server, redis)) = redis().await else {
        return;
    };
    let ttl = Duration::from_millis(300);
    let a = Leases::new(redis.clone(), "a/1", ttl);
    let b = Leases::new(redis.clone(), "b/1", ttl);

    let first = granted(a.acquire("inventory/3").await.unwrap());
    assert!(first.is_valid());
    match b.acquire("inventory/3").await.unwrap() {
        Grant::Taken { by, expires_in } => {
            assert_eq!(by.holder, "a/1");
            assert_eq!(by.epoch, first.epoch);
            assert!(expires_in <= ttl, "{expires_in:?}");
        }
        Grant::Granted(l) => panic!("granted twice: {l:?}"),
    }
    // Asking again while holding it extends it under the same epoch.
    let again = granted(a.acquire("inventory/3").await.unwrap());
    assert_eq!(again.epoch, first.epoch);

    // Unrenewed, it expires; the holder stops believing in it first.
    tokio::time::sleep(ttl.mul_f64(0.95)).await;
    assert!(!again.is_valid());
    tokio::time::sleep(ttl.mul_f64(0.2)).await;
    let second = granted(b.acquire("inventory/3").await.unwrap());
    assert!(second.epoch > first.epoch);
    // The old holder's renewal is refused.
    assert_eq!(a.renew(&[again]).await.unwrap(), vec![None]);
    let held = a.holders(&["inventory/3".to_owned()]).await.unwrap();
    assert_eq!(held[0].as_ref().map(|h| h.holder.as_str()), Some("b/1"));
}

#[tokio::test]
async fn renewing_keeps_a_lease_past_its_time_and_release_frees_it() {
    let Some((_server, redis)) = redis().await else {
        return;
    };
    let ttl = Duration::from_millis(300);
    let a = Leases::new(redis.clone(), "a/1", ttl);
    let b = Leases::new(redis.clone(), "b/1", ttl);
    let mut held = vec![
        granted(a.acquire("carts/0").await.unwrap()),
        granted(a.acquire("carts/1").await.unwrap()),
    ];
    for _ in 0..5 {
        tokio::time::sleep(ttl / 3).await;
        held = a
            .renew(&held)
            .await
            .unwrap()
            .into_iter()
            .map(|l| l.expect("still held"))
            .collect();
    }
    assert!(matches!(
        b.acquire("carts/0").await.unwrap(),
        Grant::Taken { .. }
    ));
    // Another holder cannot renew or release what it does not hold.
    let forged = held[0].clone();
    assert_eq!(
        b.renew(std::slice::from_ref(&forged)).await.unwrap(),
        vec![None]
    );
    assert_eq!(b.release(&[forged]).await.unwrap(), 0);

    assert_eq!(a.release(&held).await.unwrap(), 2);
    let taken = granted(b.acquire("carts/0").await.unwrap());
    assert!(taken.epoch > held[0].epoch);
}

#[tokio::test]
async fn epochs_keep_growing_when_redis_restarts_empty() {
    let Some((mut server, redis)) = redis().await else {
        return;
    };
    let ttl = Duration::from_secs(5);
    let a = Leases::new(redis.clone(), "a/1", ttl);
    let before = granted(a.acquire("dispatcher").await.unwrap());

    server.restart().await;
    // The client reconnects by itself.
    let after = loop {
        match Leases::new(redis.clone(), "b/1", ttl)
            .acquire("dispatcher")
            .await
        {
            Ok(grant) => break granted(grant),
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    };
    assert!(
        after.epoch > before.epoch,
        "{} then {}",
        before.epoch,
        after.epoch
    );
    // The old holder's lease is gone with the data: its renewal is refused.
    assert_eq!(a.renew(&[before]).await.unwrap(), vec![None]);
}

#[tokio::test]
async fn racing_holders_get_one_grant() {
    let Some((_server, redis)) = redis().await else {
        return;
    };
    let mut tasks = Vec::new();
    for i in 0..8 {
        let leases = Leases::new(redis.clone(), format!("n{i}/1"), Duration::from_secs(5));
        tasks.push(tokio::spawn(async move {
            leases.acquire("lanes").await.unwrap()
        }));
    }
    let mut grants = 0;
    for task in tasks {
        if matches!(task.await.unwrap(), Grant::Granted(_)) {
            grants += 1;
        }
    }
    assert_eq!(grants, 1);
}

#[tokio::test]
async fn members_are_listed_while_they_beat_and_forgotten_after() {
    let Some((_server, redis)) = redis().await else {
        return;
    };
    let ttl = Duration::from_millis(300);
    let members = Membership::new(redis.clone(), ttl);
    let a = member("node-a", "1");
    let b = member("node-b", "1");
    assert_eq!(members.beat(&a).await.unwrap(), Beat::Recorded);
    assert_eq!(members.beat(&b).await.unwrap(), Beat::Recorded);
    assert_eq!(members.list().await.unwrap(), vec![a.clone(), b.clone()]);

    // A second process with node-a's id is refused while node-a lives.
    match members.beat(&member("node-a", "2")).await.unwrap() {
        Beat::IdInUse(left) => assert!(left <= ttl),
        Beat::Recorded => panic!("two live processes with one id"),
    }

    // node-b leaves cleanly; node-a keeps beating; neither then beats.
    members.leave(&b).await.unwrap();
    assert_eq!(members.list().await.unwrap(), vec![a.clone()]);
    tokio::time::sleep(ttl / 2).await;
    members.beat(&a).await.unwrap();
    tokio::time::sleep(ttl / 2).await;
    assert_eq!(members.list().await.unwrap().len(), 1);
    tokio::time::sleep(ttl).await;
    assert!(members.list().await.unwrap().is_empty());
    // Then the id is free for a new process.
    assert_eq!(
        members.beat(&member("node-a", "2")).await.unwrap(),
        Beat::Recorded
    );
}

#[tokio::test]
async fn an_unreachable_server_or_a_bad_url_is_a_clear_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("redis://127.0.0.1:{port}/0");
    match Redis::connect(&url, Duration::from_millis(500)).await {
        Err(ClusterError::Unreachable(why)) => {
            assert!(why.contains(&format!("127.0.0.1:{port}")), "{why}");
        }
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("connected to nothing"),
    }
    match Redis::connect("http://example.com", Duration::from_millis(500)).await {
        Err(ClusterError::Config(_)) => {}
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("took an http URL"),
    }
}
