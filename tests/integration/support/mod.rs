//! The test harness: `TestApp` starts the real server on 127.0.0.1:0 with its
//! own database, and `db_test!` runs one scenario on every back end.

pub mod accounts;
pub mod binary;
pub mod browser;
pub mod care;
pub mod database;
pub mod smtp;

use std::sync::Arc;

use icbt::{app, config::Settings, state::AppState};
use reqwest::{redirect::Policy, Client};
use tempfile::TempDir;
use tokio_util::sync::CancellationToken;

pub use database::Backend;
use database::TestDatabase;

/// Runs `async fn scenario(app: TestApp)` once per back end: `sqlite` always,
/// `postgres` when `ICBT_TEST_POSTGRES_URL` is set.
macro_rules! db_test {
    ([$($key:expr => $value:expr),* $(,)?], async fn $name:ident($app:ident: TestApp) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn scenario($app: $crate::support::TestApp) $body

            async fn run(backend: $crate::support::Backend) {
                if let Some(app) = $crate::support::TestApp::start_with(backend, &[$(($key, $value)),*]).await {
                    scenario(app).await
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run($crate::support::Backend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                run($crate::support::Backend::Postgres).await
            }
        }
    };
    (async fn $name:ident($app:ident: TestApp) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn scenario($app: $crate::support::TestApp) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                scenario($crate::support::TestApp::start($crate::support::Backend::Sqlite).await).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::support::TestApp::start_postgres().await {
                    scenario(app).await
                }
            }
        }
    };
}

/// As `db_test!`, for scenarios with mail: the server sends over SMTP to
/// `$port` on loopback (start an `SmtpServer` there when the scenario wants it
/// up) and takes extra settings, e.g. `clock.start`.
macro_rules! smtp_test {
    ([$($key:expr => $value:expr),* $(,)?], async fn $name:ident($app:ident: TestApp, $port:ident: u16) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn scenario($app: $crate::support::TestApp, $port: u16) $body

            async fn run(backend: $crate::support::Backend) {
                let port = $crate::support::smtp::free_port();
                let port_text = port.to_string();
                let overrides =
                    [("mail.transport", "smtp"), ("mail.smtp_port", port_text.as_str()), $(($key, $value)),*];
                if let Some(app) = $crate::support::TestApp::start_with(backend, &overrides).await {
                    scenario(app, port).await
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run($crate::support::Backend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                run($crate::support::Backend::Postgres).await
            }
        }
    };
}

pub struct TestApp {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub base: String,
    /// A client with its own cookie jar that does not follow redirects.
    pub client: Client,
    pub state: AppState,
    pub dir: TempDir,
    shutdown: CancellationToken,
    _database: TestDatabase,
}

impl TestApp {
    pub async fn start(backend: Backend) -> TestApp {
        Self::start_with(backend, &[]).await.expect("the PostgreSQL leg was asked for but is not configured")
    }

    /// `None` (and a note on stderr) when no PostgreSQL is configured.
    pub async fn start_postgres() -> Option<TestApp> {
        Self::start_with(Backend::Postgres, &[]).await
    }

    /// Starts with extra settings (dotted keys).
    pub async fn start_with(backend: Backend, overrides: &[(&str, &str)]) -> Option<TestApp> {
        // Server errors show in a failing test's output.
        let _ = tracing_subscriber::fmt().with_env_filter("warn").with_test_writer().try_init();
        let dir = tempfile::tempdir().expect("temp dir");
        let database = TestDatabase::create(backend, dir.path()).await?;
        let mailbox = dir.path().join("mailbox").display().to_string();
        let mut all = vec![
            ("environment", "test"),
            ("server.bind", "127.0.0.1:0"),
            ("database.url", database.url.as_str()),
            ("mail.mailbox_dir", mailbox.as_str()),
            ("log.filter", "warn"),
        ];
        all.extend_from_slice(overrides);
        let settings = Settings::from_overrides(&all).expect("test settings are valid");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
        let base = format!("http://{}", listener.local_addr().expect("local addr"));
        let mut settings = settings;
        settings.server.public_url = base.clone();
        let state = AppState::build(settings).await.expect("app state");
        let shutdown = CancellationToken::new();
        tokio::spawn(app::serve(listener, state.clone(), shutdown.clone()));
        Some(TestApp { base, client: new_client(), state, dir, shutdown, _database: database })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

pub fn new_client() -> Client {
    Client::builder()
        .cookie_provider(Arc::new(reqwest::cookie::Jar::default()))
        .redirect(Policy::none())
        .build()
        .expect("http client")
}

/// The text of a page as a person reads it: no tags, attributes, scripts or
/// styles (so an ISO date in a form's `value` does not count as shown).
pub fn visible_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        let tail = &rest[open..];
        let skip_to = ["<script", "<style"]
            .iter()
            .find(|tag| tail.starts_with(**tag))
            .and_then(|tag| tail.find(&format!("</{}>", &tag[1..])))
            .unwrap_or(0);
        let close = tail[skip_to..].find('>').map_or(tail.len(), |i| skip_to + i + 1);
        text.push(' ');
        rest = &tail[close..];
    }
    text.push_str(rest);
    text.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
}
