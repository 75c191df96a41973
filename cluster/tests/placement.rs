//! Placement across nodes against a real `redis-server`: every name is
//! served by exactly one live node, a dead node's names move to the others
//! with larger epochs, and a node that joins gets its share handed over.
// clippy.toml allows unwrap/expect in `#[test]` functions only; the helpers
// here are test code too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use souk_cluster::testing::TestRedis;
use souk_cluster::{Lease, Leases, Member, Membership, Placer, Redis, Work};
use time::OffsetDateTime;

const LEASE: Duration = Duration::from_millis(600);

/// Records what runs where, and fails if a name ever runs twice on a node.
#[derive(Default)]
struct Running(Mutex<BTreeMap<String, u64>>);

#[async_trait::async_trait]
impl Work for Running {
    async fn start(&self, lease: &Lease) -> Result<(), String> {
        let before = self
            .0
            .lock()
            .unwrap()
            .insert(lease.name.clone(), lease.epoch);
        assert!(before.is_none(), "{} started twice", lease.name);
        Ok(())
    }

    async fn stop(&self, name: &str) {
        self.0.lock().unwrap().remove(name);
    }
}

struct Node {
    member: Member,
    membership: Membership,
    placer: Placer,
    work: Arc<Running>,
}

impl Node {
    async fn join(redis: &Redis, id: &str, names: &[String]) -> Self {
        let now = OffsetDateTime::now_utc();
        let member = Member {
            id: id.to_owned(),
            incarnation: "1".to_owned(),
            advertise: format!("{id}:8080"),
            version: "test".to_owned(),
            started_at: now,
            seen_at: now,
            load: BTreeMap::new(),
            owns: Vec::new(),
        };
        let membership = Membership::new(redis.clone(), LEASE);
        membership.beat(&member).await.unwrap();
        let leases = Leases::new(redis.clone(), member.holder(), LEASE);
        let work = Arc::new(Running::default());
        let placer = Placer::new(leases, membership.clone(), names.to_vec(), work.clone());
        Self {
            member,
            membership,
            placer,
            work,
        }
    }

    async fn tick(&mut self) {
        self.membership.beat(&self.member).await.unwrap();
        self.placer.tick().await.unwrap();
    }

    fn running(&self) -> BTreeMap<String, u64> {
        self.work.0.lock().unwrap().clone()
    }
}

fn names() -> Vec<String> {
    (0..16).map(|i| format!("inventory/{i}")).collect()
}

/// Ticks every node `rounds` times, a third of a lease apart.
async fn settle(nodes: &mut [&mut Node], rounds: usize) {
    for _ in 0..rounds {
        for node in nodes.iter_mut() {
            node.tick().await;
        }
        tokio::time::sleep(LEASE / 3).await;
    }
}

/// Each name runs on exactly one of `nodes`; returns who runs what.
fn assert_each_runs_once(nodes: &[&Node]) -> BTreeMap<String, (String, u64)> {
    let mut seen = BTreeMap::new();
    for node in nodes {
        for (name, epoch) in node.running() {
            let before = seen.insert(name.clone(), (node.member.id.clone(), epoch));
            assert!(before.is_none(), "{name} runs on two nodes");
        }
    }
    let all: BTreeSet<String> = names().into_iter().collect();
    assert_eq!(seen.keys().cloned().collect::<BTreeSet<_>>(), all);
    seen
}

#[tokio::test]
async fn names_spread_over_nodes_and_move_when_one_dies_or_joins() {
    let Some(server) = TestRedis::start().await else {
        return;
    };
    let redis = Redis::connect(&server.url(), Duration::from_secs(2))
        .await
        .unwrap();
    let mut a = Node::join(&redis, "a", &names()).await;
    let mut b = Node::join(&redis, "b", &names()).await;
    let mut c = Node::join(&redis, "c", &names()).await;
    settle(&mut [&mut a, &mut b, &mut c], 3).await;
    let placed = assert_each_runs_once(&[&a, &b, &c]);
    for node in [&a, &b, &c] {
        assert!(
            !node.running().is_empty(),
            "{} runs nothing",
            node.member.id
        );
    }

    // c dies: it stops beating and renewing, and its work is not stopped.
    let c_had = c.running();
    assert!(!c_had.is_empty());
    let started = tokio::time::Instant::now();
    let mut survivors = [&mut a, &mut b];
    loop {
        settle(&mut survivors, 1).await;
        let running: usize = survivors.iter().map(|n| n.running().len()).sum();
        if running == names().len() {
            break;
        }
        assert!(started.elapsed() < LEASE * 4, "c's work did not move");
    }
    let moved = assert_each_runs_once(&[&a, &b]);
    for (name, old_epoch) in &c_had {
        assert!(
            moved[name].1 > *old_epoch,
            "{name} moved without a larger epoch"
        );
    }
    // What a and b ran before, they still run under the same epoch.
    for (name, (node, epoch)) in &placed {
        if node != "c" {
            assert_eq!(
                moved[name],
                (node.clone(), *epoch),
                "{name} moved needlessly"
            );
        }
    }

    // d joins: it gets a share, handed over a few names per tick and node.
    let mut d = Node::join(&redis, "d", &names()).await;
    settle(&mut [&mut a, &mut b, &mut d], 12).await;
    assert_each_runs_once(&[&a, &b, &d]);
    assert!(!d.running().is_empty(), "d got nothing");
}

#[tokio::test]
async fn work_stops_when_redis_is_gone_past_the_lease() {
    let Some(mut server) = TestRedis::start().await else {
        return;
    };
    let redis = Redis::connect(&server.url(), Duration::from_millis(200))
        .await
        .unwrap();
    let mut a = Node::join(&redis, "a", &names()).await;
    settle(&mut [&mut a], 2).await;
    assert_eq!(a.running().len(), names().len());

    server.stop();
    // Within the lease it keeps serving; past it, it stops everything.
    assert!(a.placer.tick().await.is_err());
    assert_eq!(a.running().len(), names().len());
    tokio::time::sleep(LEASE).await;
    assert!(a.placer.tick().await.is_err());
    assert!(a.running().is_empty());

    // Redis comes back (empty): the node takes its work again, by itself.
    server.restart().await;
    let started = tokio::time::Instant::now();
    while a.running().len() < names().len() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "did not recover"
        );
        let _ = a.membership.beat(&a.member).await;
        let _ = a.placer.tick().await;
        tokio::time::sleep(LEASE / 3).await;
    }
}
