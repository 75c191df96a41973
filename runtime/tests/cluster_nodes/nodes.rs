//! Starting, stopping and breaking the nodes of a test cluster.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use souk_cluster::testing::TestRedis;
use souk_models::Role;
use souk_runtime::config::Config;
use souk_store_postgres::testing::TestDatabase;
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Child;

use crate::http::Http;

pub const SECRET: &str = "a-cluster-secret-for-tests-32-bytes!!";
pub const ADMIN: &str = "root@example.com";
pub const PASSWORD: &str = "a-test-password-1";
/// Lease time: a dead node's work moves within about this plus a round.
pub const LEASE_MS: u64 = 1500;
/// Names placed across the cluster: 16 inventory shards, 32 cart hosts, 32
/// order partitions, the checkout dispatcher.
pub const NAMES: usize = 16 + 32 + 32 + 1;

pub struct Node {
    pub id: String,
    pub base: String,
    child: Option<Child>,
    /// Its data dir, removed when the test ends.
    _dir: TempDir,
    /// What the process logged (warnings and errors, unless
    /// `SOUK_TEST_NODE_LOG` asks for more).
    log: Arc<Mutex<String>>,
}

impl Node {
    /// Whether the process logged `text`.
    pub fn logged(&self, text: &str) -> bool {
        self.log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(text)
    }

    /// The process id, while it runs.
    pub fn pid(&self) -> u32 {
        self.child
            .as_ref()
            .and_then(Child::id)
            .expect("the node runs")
    }
}

pub struct Cluster {
    pub nodes: Vec<Node>,
    pub redis: TestRedis,
    /// Dropped when the test ends.
    _database: TestDatabase,
    settings: Vec<(String, String)>,
    pub http: Http,
}

impl Cluster {
    /// `count` nodes (`node-0` …), with `settings` on top of the cluster's,
    /// and an admin account; `None` (after `skipped: …`) without
    /// PostgreSQL or `redis-server`.
    pub async fn start(count: usize, settings: &[(&str, &str)]) -> Option<Self> {
        let database = TestDatabase::create().await?;
        let redis = TestRedis::start().await?;
        let mut all: Vec<(String, String)> = [
            ("SOUK__STORE__URL", database.url().to_owned()),
            ("SOUK__CLUSTER__ENABLED", "true".to_owned()),
            ("SOUK__CLUSTER__REDIS_URL", redis.url()),
            ("SOUK__CLUSTER__SECRET", SECRET.to_owned()),
            ("SOUK__CLUSTER__LEASE_MS", LEASE_MS.to_string()),
            ("SOUK__AUTH__JWT_SECRET", SECRET.to_owned()),
            ("SOUK__AUTH__COOKIE_SECURE", "false".to_owned()),
            ("SOUK__ASSISTANT__ENABLED", "false".to_owned()),
            ("SOUK__RATE_LIMIT__ENABLED", "false".to_owned()),
            ("SOUK__AUTH__UNVERIFIED_CHECKOUT", "true".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        all.extend(settings.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let mut cluster = Self {
            nodes: Vec::new(),
            redis,
            _database: database,
            settings: all,
            http: Http::default(),
        };
        cluster.create_admin().await;
        for i in 0..count {
            let dir = TempDir::new().expect("a temp dir");
            let id = format!("node-{i}");
            let log = Arc::default();
            let (child, base) = cluster.spawn(&id, dir.path(), &log).await;
            cluster.nodes.push(Node {
                id,
                base,
                child: Some(child),
                _dir: dir,
                log,
            });
        }
        Some(cluster)
    }

    async fn create_admin(&self) {
        let dir = TempDir::new().expect("a temp dir");
        let mut env = self.settings.clone();
        env.push((
            "SOUK__SERVER__DATA_DIR".to_owned(),
            dir.path().display().to_string(),
        ));
        let config = Config::from_layers(Path::new("config"), &env).expect("the config loads");
        souk_runtime::admin::create_user(&config, Role::Admin, ADMIN, "Root", PASSWORD)
            .await
            .expect("the admin account is created");
    }

    async fn spawn(&self, id: &str, dir: &Path, log: &Arc<Mutex<String>>) -> (Child, String) {
        let mut command = crate::souk_process::serve(dir, false);
        command.envs(self.settings.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        command.env("SOUK__CLUSTER__NODE_ID", id);
        // `SOUK_TEST_NODE_LOG=info` keeps more of what the nodes say.
        if let Ok(filter) = std::env::var("SOUK_TEST_NODE_LOG") {
            command.env("RUST_LOG", filter);
        }
        command.stderr(Stdio::piped());
        let (mut child, base) = crate::souk_process::start(command).await;
        let stderr = child.stderr.take().expect("stderr is piped");
        let log = log.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let mut log = log.lock().unwrap_or_else(|p| p.into_inner());
                log.push_str(&line);
                log.push('\n');
            }
        });
        (child, base)
    }

    pub fn base(&self, node: usize) -> &str {
        &self.nodes[node].base
    }

    /// `kill -9` of node `node`.
    pub async fn kill(&mut self, node: usize) {
        if let Some(mut child) = self.nodes[node].child.take() {
            child.start_kill().expect("the kill is sent");
            let _ = child.wait().await;
        }
    }

    /// Sends `signal` (`STOP`, `CONT`) to node `node`.
    pub fn signal(&self, node: usize, signal: &str) {
        let sent = std::process::Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.nodes[node].pid().to_string())
            .status()
            .expect("kill runs");
        assert!(sent.success(), "kill -{signal}");
    }

    /// Which node holds each placed name, as node `via` reports it (from
    /// the nodes' last heartbeats: while work moves, a name may show under
    /// its old and its new holder for a moment).
    pub async fn owners(&self, via: usize, admin: &str) -> BTreeMap<String, String> {
        let (status, report) = self
            .http
            .get(self.base(via), "/api/v1/admin/cluster", Some(admin))
            .await;
        if status != reqwest::StatusCode::OK {
            println!("node {via} answered the cluster view with {status}: {report}");
        }
        let mut owners = BTreeMap::new();
        for node in report["nodes"].as_array().cloned().unwrap_or_default() {
            for name in node["owns"].as_array().cloned().unwrap_or_default() {
                let name = name.as_str().expect("a lease name").to_owned();
                let holder = node["id"].as_str().expect("an id").to_owned();
                if owners.insert(name.clone(), holder).is_some() {
                    owners.insert(name, "(moving)".to_owned());
                }
            }
        }
        owners
    }

    /// Waits until every name is held by one of `live` (node indexes), each
    /// holding some, and the placement has stopped changing; returns it.
    pub async fn settled(
        &self,
        via: usize,
        admin: &str,
        live: &[usize],
    ) -> BTreeMap<String, String> {
        let ids: Vec<&str> = live.iter().map(|n| self.nodes[*n].id.as_str()).collect();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        let mut last = BTreeMap::new();
        loop {
            let owners = self.owners(via, admin).await;
            let placed = owners.len() == NAMES
                && owners.values().all(|o| ids.contains(&o.as_str()))
                && ids.iter().all(|id| owners.values().any(|o| o == id));
            if placed && owners == last {
                return owners;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "work not settled on {ids:?}: {owners:?}"
            );
            last = owners;
            tokio::time::sleep(Duration::from_millis(LEASE_MS / 2)).await;
        }
    }
}

impl Drop for Cluster {
    /// A failed test shows what each node logged (every test does when
    /// `SOUK_TEST_NODE_LOG` is set).
    fn drop(&mut self) {
        if !std::thread::panicking() && std::env::var_os("SOUK_TEST_NODE_LOG").is_none() {
            return;
        }
        for node in &self.nodes {
            let log = node.log.lock().unwrap_or_else(|p| p.into_inner());
            let lines: Vec<&str> = log.lines().collect();
            let shown = &lines[lines.len().saturating_sub(200)..];
            eprintln!(
                "--- {} logged {} lines; the last {}:",
                node.id,
                lines.len(),
                shown.len()
            );
            for line in shown {
                eprintln!("{line}");
            }
        }
    }
}
