//! For tests: a fresh database on a local PostgreSQL server, dropped when the
//! test is done.
//!
//! The server is the one `SOUK_TEST_POSTGRES` names (a URL of a database the
//! user may connect to and a role that may create databases), by default
//! `postgres://postgres@127.0.0.1:5432/postgres`. Without a server the tests
//! that need one print `skipped: <why>` and pass, unless
//! `SOUK_REQUIRE_SERVICES=1`, under which they fail.

use tokio_postgres::NoTls;
use uuid::Uuid;

use super::{Options, PostgresStore};

const DEFAULT_SERVER: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A database created for one test; dropped (with its connections) on drop.
pub struct TestDatabase {
    server: String,
    name: String,
    url: String,
}

/// The server's URL, from `SOUK_TEST_POSTGRES` or the default.
pub fn server() -> String {
    std::env::var("SOUK_TEST_POSTGRES").unwrap_or_else(|_| DEFAULT_SERVER.to_owned())
}

/// Whether missing services must fail tests rather than skip them.
pub fn services_required() -> bool {
    std::env::var("SOUK_REQUIRE_SERVICES").is_ok_and(|v| v == "1")
}

async fn admin(server: &str) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::connect(server, NoTls).await?;
    tokio::spawn(connection);
    Ok(client)
}

impl TestDatabase {
    /// Creates a database named `souk_test_<random>`. `None` (after printing
    /// why) when no server answers, unless services are required.
    pub async fn create() -> Option<Self> {
        let server = server();
        let skip = |why: String| {
            if services_required() {
                panic!("{why} (SOUK_REQUIRE_SERVICES=1)");
            }
            println!("skipped: {why}");
            None
        };
        let client = match admin(&server).await {
            Ok(client) => client,
            Err(e) => {
                return skip(format!(
                    "no PostgreSQL at {server} ({e}); set SOUK_TEST_POSTGRES"
                ));
            }
        };
        let name = format!("souk_test_{}", Uuid::new_v4().simple());
        if let Err(e) = client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
        {
            return skip(format!("cannot create a database on {server}: {e}"));
        }
        let url = match server.rsplit_once('/') {
            Some((base, _)) => format!("{base}/{name}"),
            None => return skip(format!("{server} names no database")),
        };
        Some(Self { server, name, url })
    }

    /// The URL of the test's database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Runs `sql` (statements separated by `;`) on the test's database.
    pub async fn execute(&self, sql: &str) {
        let client = self.connect().await;
        if let Err(e) = client.batch_execute(sql).await {
            panic!("{sql}: {e}");
        }
    }

    /// The first column, as text, of every row `sql` returns.
    pub async fn query_strings(&self, sql: &str) -> Vec<String> {
        let client = self.connect().await;
        match client.query(sql, &[]).await {
            Ok(rows) => rows.iter().map(|row| row.get::<_, String>(0)).collect(),
            Err(e) => panic!("{sql}: {e}"),
        }
    }

    async fn connect(&self) -> tokio_postgres::Client {
        match admin(&self.url).await {
            Ok(client) => client,
            Err(e) => panic!("cannot connect to the test database {}: {e}", self.name),
        }
    }

    /// A store on the test's database, its schema migrated.
    pub async fn store(&self) -> PostgresStore {
        match PostgresStore::connect(&self.url, Options::default()).await {
            Ok(store) => store,
            Err(e) => panic!("cannot open the test database {}: {e}", self.name),
        }
    }
}

impl Drop for TestDatabase {
    /// Drops the database from a thread of its own, as drop cannot await and
    /// may run inside a runtime.
    fn drop(&mut self) {
        let (server, name) = (self.server.clone(), self.name.clone());
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let client = admin(&server).await.map_err(|e| e.to_string())?;
                client
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .map_err(|e| e.to_string())
            })
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("could not drop test database {}: {e}", self.name);
        }
    }
}
