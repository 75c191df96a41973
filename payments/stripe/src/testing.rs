//! For tests: a localstripe server of their own on a free loopback port,
//! stopped when dropped. localstripe (a fake Stripe) comes from PyPI,
//! installed by `souk-testkit` into its cached virtual environment, and started
//! through `localstripe_launcher.py` (see there why). Where it cannot be had, tests
//! print `skipped: <why>` and pass, unless `SOUK_REQUIRE_SERVICES=1`.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A secret key localstripe accepts (any `sk_…` does).
pub const SECRET_KEY: &str = "sk_test_souk";

const LAUNCHER: &str = include_str!("localstripe_launcher.py");

/// A running localstripe.
pub struct LocalStripe {
    child: Child,
    port: u16,
    _launcher: tempfile::TempPath,
    http: reqwest::Client,
}

impl LocalStripe {
    /// Starts one. `None` (after printing why) when it cannot be had,
    /// unless services are required.
    pub async fn start() -> Option<Self> {
        match tokio::task::spawn_blocking(Self::spawn).await {
            Ok(Ok(mut stripe)) => {
                stripe.wait_until_up().await;
                Some(stripe)
            }
            Ok(Err(why)) => Self::unavailable(&why),
            Err(e) => Self::unavailable(&e.to_string()),
        }
    }

    fn unavailable(why: &str) -> Option<Self> {
        souk_testkit::unavailable(&format!("cannot start localstripe ({why})"))
    }

    fn spawn() -> Result<Self, String> {
        let python = souk_testkit::python()?;
        let port = souk_testkit::free_port()?;
        let mut launcher = tempfile::Builder::new()
            .suffix(".py")
            .tempfile()
            .map_err(|e| e.to_string())?;
        std::io::Write::write_all(&mut launcher, LAUNCHER.as_bytes()).map_err(|e| e.to_string())?;
        let launcher = launcher.into_temp_path();
        let child = Command::new(python)
            .arg(&launcher)
            .arg(port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            child,
            port,
            _launcher: launcher,
            http: reqwest::Client::new(),
        })
    }

    async fn wait_until_up(&mut self) {
        for _ in 0..300 {
            let probe = self
                .http
                .get(format!("{}/v1/payment_intents", self.url()))
                .bearer_auth(SECRET_KEY)
                .send()
                .await;
            if probe.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("localstripe stopped at start ({status})");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("localstripe on port {} did not start", self.port);
    }

    /// Where souk reaches it (`payments.stripe.api_base`).
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Sends every event to `url`, signed with `secret` as Stripe signs.
    pub async fn send_events_to(&self, url: &str, secret: &str) {
        let request = self
            .http
            .post(format!("{}/_config/webhooks/souk", self.url()));
        let (status, body) = answer(
            request
                .form(&[("url", url), ("secret", secret)])
                .send()
                .await,
        )
        .await;
        assert_eq!(status, 200, "webhook registered: {body}");
    }

    /// `GET`s a path of localstripe's API: the status and the JSON body.
    pub async fn get(&self, path: &str) -> (u16, String) {
        let request = self.http.get(format!("{}{path}", self.url()));
        answer(request.bearer_auth(SECRET_KEY).send().await).await
    }

    /// Calls localstripe's API as a client would (form fields), answering
    /// the status and the JSON body.
    pub async fn call(&self, path: &str, form: &[(&str, &str)]) -> (u16, String) {
        let request = self.http.post(format!("{}{path}", self.url()));
        answer(request.bearer_auth(SECRET_KEY).form(form).send().await).await
    }

    /// `DELETE`s `path` as a client would (e.g. cancelling a subscription
    /// at once, as Stripe's dashboard can).
    pub async fn delete(&self, path: &str) -> (u16, String) {
        let request = self.http.delete(format!("{}{path}", self.url()));
        answer(request.bearer_auth(SECRET_KEY).send().await).await
    }
}

/// The status and body of an answer (a request that got none panics: the
/// test cannot go on).
async fn answer(sent: reqwest::Result<reqwest::Response>) -> (u16, String) {
    match sent {
        Ok(answer) => {
            let status = answer.status().as_u16();
            (status, answer.text().await.unwrap_or_default())
        }
        Err(e) => panic!("localstripe did not answer: {e}"),
    }
}

impl Drop for LocalStripe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
