//! `spawn_app()` and `TestApp`: the booted server and one helper per kind of call.

use std::path::Path;
use std::sync::Arc;

use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use souk_actors::EventBus;
use souk_models::Role;
use souk_runtime::{Application, Config};
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub mod flows;
pub mod letters;
pub use flows::address;

pub const PASSWORD: &str = "correct horse battery";
pub const ADMIN_EMAIL: &str = "root@example.com";

pub struct TestApp {
    pub base: String,
    /// The metrics listener, when `metrics.listen` gave it one of its own.
    pub metrics_base: Option<String>,
    /// The node's live event bus, to publish on directly.
    pub events: EventBus,
    /// The node's open WebSocket connections.
    pub websockets: souk_gateway::ws::WsRegistry,
    pub client: reqwest::Client,
    pub dir: Arc<TempDir>,
    /// The shopping assistant, when enabled.
    pub assistant: Option<Arc<souk_gateway::assistant::Assistant>>,
    /// The demo accounts' password at this start.
    pub demo_password: souk_runtime::demo::DemoPassword,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

/// A signed-in user.
#[derive(Clone, Debug)]
pub struct Session {
    pub id: String,
    pub token: String,
    pub refresh: String,
}

pub fn test_config(dir: &Path, overrides: &[(&str, &str)]) -> Config {
    try_config(dir, overrides).expect("the test config loads")
}

fn try_config(
    dir: &Path,
    overrides: &[(&str, &str)],
) -> Result<Config, souk_runtime::config::ConfigError> {
    let mut env: Vec<(String, String)> = vec![
        ("SOUK__SERVER__LISTEN".into(), "127.0.0.1:0".into()),
        ("SOUK__METRICS__LISTEN".into(), "127.0.0.1:0".into()),
        ("SOUK__SERVER__DATA_DIR".into(), dir.display().to_string()),
        ("SOUK__RATE_LIMIT__ENABLED".into(), "false".into()),
        ("SOUK__AUTH__COOKIE_SECURE".into(), "false".into()),
        ("SOUK__LOG__LEVEL".into(), "warn".into()),
        // Loading the model costs every test; the assistant's tests switch it on.
        ("SOUK__ASSISTANT__ENABLED".into(), "false".into()),
        // Accounts made by `register` check out without opening their
        // verification letter; the account tests switch this back off.
        ("SOUK__AUTH__UNVERIFIED_CHECKOUT".into(), "true".into()),
    ];
    env.extend(
        overrides
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    Config::from_layers(Path::new("config"), &env)
}

/// Boots the app with rate limits off.
pub async fn spawn_app() -> TestApp {
    spawn_with(&[], None).await
}

/// Boots the app with extra `SOUK__…` settings, on `dir` (a fresh one if `None`).
/// An admin `root@example.com` exists with [`PASSWORD`].
pub async fn spawn_with(overrides: &[(&str, &str)], dir: Option<Arc<TempDir>>) -> TestApp {
    let fresh = dir.is_none();
    let dir = dir.unwrap_or_else(|| Arc::new(TempDir::new().expect("a temp dir")));
    let config = test_config(dir.path(), overrides);
    if fresh {
        souk_runtime::admin::create_user(&config, Role::Admin, ADMIN_EMAIL, "Root", PASSWORD)
            .await
            .expect("the admin user is created");
    }
    start(config, dir, false).await
}

/// Boots the app with the demo catalog on `dir`.
pub async fn spawn_demo(dir: Arc<TempDir>) -> TestApp {
    spawn_demo_with(dir, &[]).await
}

/// Boots the app with the demo catalog on `dir` and extra settings.
pub async fn spawn_demo_with(dir: Arc<TempDir>, overrides: &[(&str, &str)]) -> TestApp {
    let config = test_config(dir.path(), overrides);
    start(config, dir, true).await
}

/// Loads the config and builds the app without running it: for start-up
/// failures, in the config or later.
pub async fn build_error(overrides: &[(&str, &str)]) -> String {
    let dir = TempDir::new().expect("a temp dir");
    let config = match try_config(dir.path(), overrides) {
        Ok(config) => config,
        Err(e) => return e.to_string(),
    };
    match Application::build(config, false).await {
        Ok(_) => panic!("the app started"),
        Err(e) => format!("{e:#}"),
    }
}

async fn start(config: Config, dir: Arc<TempDir>, demo: bool) -> TestApp {
    let app = Application::build(config, demo)
        .await
        .expect("the app builds");
    let base = format!("http://127.0.0.1:{}", app.port());
    let metrics_base = app.metrics_addr().map(|a| format!("http://{a}"));
    let events = app.events();
    let websockets = app.websockets();
    let slot = app.assistant();
    let demo_password = app.demo_password.clone();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    // The assistant comes up beside the node; tests start once it has
    // loaded and embedded the catalog, so they see all of it.
    let assistant = slot.settled().await.ok();
    if let Some(assistant) = &assistant {
        assistant.caught_up().await;
    }
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client");
    TestApp {
        base,
        metrics_base,
        events,
        websockets,
        client,
        dir,
        assistant,
        demo_password,
        stop: Some(stop),
        task: Some(task),
    }
}

impl TestApp {
    /// Another handle on the same running app with its own HTTP client (for
    /// a test running on another tokio runtime); stopping it does nothing.
    pub fn attach(&self) -> TestApp {
        TestApp {
            base: self.base.clone(),
            metrics_base: self.metrics_base.clone(),
            events: self.events.clone(),
            websockets: self.websockets.clone(),
            client: reqwest::Client::new(),
            dir: self.dir.clone(),
            assistant: self.assistant.clone(),
            demo_password: self.demo_password.clone(),
            stop: None,
            task: None,
        }
    }
}

pub async fn json(response: Response) -> Value {
    let status = response.status();
    let text = response.text().await.expect("a response body");
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("{status}: not JSON: {text}"))
}

/// Asserts a problem+json answer with `status` and `code`; returns the body.
pub async fn assert_problem(response: Response, status: StatusCode, code: &str) -> Value {
    let got = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = json(response).await;
    assert_eq!(got, status, "body: {body}");
    assert_eq!(content_type, "application/problem+json", "body: {body}");
    assert_eq!(body["code"], code, "body: {body}");
    assert_eq!(body["status"], status.as_u16());
    assert!(
        body["request_id"].as_str().is_some_and(|id| !id.is_empty()),
        "{body}"
    );
    body
}

impl TestApp {
    /// Graceful stop, as on SIGTERM; returns the data dir for a restart.
    pub async fn stop(mut self) -> Arc<TempDir> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await
                .expect("the app task finishes")
                .expect("the app stops cleanly");
        }
        self.dir.clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Response {
        let mut req = self.client.request(method, self.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send().await.expect("the request is sent")
    }

    /// `/metrics` from the metrics listener, as Prometheus reads it.
    pub async fn metrics_text(&self) -> String {
        let base = self.metrics_base.as_deref().expect("a metrics listener");
        let response = self
            .client
            .get(format!("{base}/metrics"))
            .send()
            .await
            .expect("scrape /metrics");
        assert_eq!(response.status(), StatusCode::OK);
        response.text().await.expect("a metrics body")
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.call(Method::POST, path, token, Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.call(Method::PATCH, path, token, Some(body)).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.call(Method::PUT, path, token, Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Response {
        self.call(Method::DELETE, path, token, None).await
    }

    /// Sends a raw body with a content type.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Response {
        let mut req = self
            .client
            .request(method, self.url(path))
            .header("content-type", content_type)
            .body(body);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        req.send().await.expect("the request is sent")
    }

    pub async fn register(&self, email: &str, role: &str) -> Session {
        let response = self
            .post(
                "/api/v1/auth/register",
                None,
                json!({
                    "email": email, "password": PASSWORD, "display_name": "Test User", "role": role
                }),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        session(json(response).await)
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post(
            "/api/v1/auth/login",
            None,
            json!({ "email": email, "password": password }),
        )
        .await
    }

    pub async fn admin(&self) -> Session {
        let response = self.login(ADMIN_EMAIL, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK);
        session(json(response).await)
    }

    /// Creates a category as admin.
    pub async fn category(&self, slug: &str) {
        let admin = self.admin().await;
        let path = format!("/api/v1/admin/categories/{slug}");
        let response = self
            .put(&path, Some(&admin.token), json!({ "name": slug }))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
    }

    /// Lists a product as `seller`; returns its JSON.
    pub async fn product(&self, seller: &Session, body: Value) -> Value {
        let response = self
            .post("/api/v1/products", Some(&seller.token), body)
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        json(response).await
    }
}

pub fn session(body: Value) -> Session {
    Session {
        id: body["user"]["id"].as_str().expect("a user id").to_owned(),
        token: body["access_token"]
            .as_str()
            .expect("an access token")
            .to_owned(),
        refresh: body["refresh_token"]
            .as_str()
            .expect("a refresh token")
            .to_owned(),
    }
}

/// A valid product body.
pub fn product_body(title: &str, category: &str, price: i64, stock: i64) -> Value {
    json!({
        "title": title,
        "description": format!("{title}, made to last."),
        "category": category,
        "attributes": { "colour": "red" },
        "price": { "amount": price, "currency": "USD" },
        "stock": stock
    })
}
