//! For tests: a `redis-server` of their own on a free loopback port, keeping
//! nothing on disk, stopped when dropped. Without `redis-server` on the PATH
//! the tests that need one print `skipped: <why>` and pass, unless
//! `SOUK_REQUIRE_SERVICES=1`, under which they fail.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running `redis-server`.
pub struct TestRedis {
    child: Option<Child>,
    port: u16,
}

/// Whether missing services must fail tests rather than skip them.
pub fn services_required() -> bool {
    std::env::var("SOUK_REQUIRE_SERVICES").is_ok_and(|v| v == "1")
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl TestRedis {
    /// Starts one. `None` (after printing why) when `redis-server` cannot
    /// be started, unless services are required.
    pub async fn start() -> Option<Self> {
        let started = free_port().map_err(|e| e.to_string()).and_then(|port| {
            let mut redis = Self { child: None, port };
            redis.spawn().map(|()| redis)
        });
        let mut redis = match started {
            Ok(redis) => redis,
            Err(why) => {
                let why = format!("cannot start redis-server ({why})");
                assert!(!services_required(), "{why} (SOUK_REQUIRE_SERVICES=1)");
                println!("skipped: {why}");
                return None;
            }
        };
        redis.wait_until_up().await;
        Some(redis)
    }

    fn spawn(&mut self) -> Result<(), String> {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--protected-mode", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| e.to_string())?;
        self.child = Some(child);
        Ok(())
    }

    async fn wait_until_up(&mut self) {
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("redis-server on port {} did not start", self.port);
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server (everything in it is gone).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, empty.
    pub async fn restart(&mut self) {
        self.stop();
        if let Err(e) = self.spawn() {
            panic!("cannot restart redis-server: {e}");
        }
        self.wait_until_up().await;
    }
}

impl Drop for TestRedis {
    fn drop(&mut self) {
        self.stop();
    }
}
