//! A fresh database per test: a SQLite file in the test's temp dir, or a new
//! PostgreSQL database that is dropped afterwards.

use std::{io::Write, path::Path, sync::Once};

use sea_orm::{ConnectionTrait, Database};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestDatabase {
    pub url: String,
    /// (server URL, database name) to drop afterwards.
    postgres: Option<(String, String)>,
}

const POSTGRES_ENV: &str = "ICBT_TEST_POSTGRES_URL";

impl TestDatabase {
    pub async fn create(backend: Backend, dir: &Path) -> Option<TestDatabase> {
        match backend {
            Backend::Sqlite => Some(TestDatabase {
                url: format!("sqlite://{}?mode=rwc", dir.join("icbt.db").display()),
                postgres: None,
            }),
            Backend::Postgres => {
                let Ok(server) = std::env::var(POSTGRES_ENV) else {
                    note_postgres_skipped();
                    return None;
                };
                let name = format!("icbt_test_{}", uuid::Uuid::new_v4().simple());
                let admin = Database::connect(&server).await.unwrap_or_else(|e| {
                    panic!("{POSTGRES_ENV} is set but PostgreSQL cannot be reached: {e}")
                });
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create test database");
                let _ = admin.close().await;
                Some(TestDatabase { url: with_database(&server, &name), postgres: Some((server, name)) })
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((server, name)) = self.postgres.take() else { return };
        // Drop runs outside async code; a short-lived runtime on its own thread
        // removes the database (FORCE ends the pool's connections).
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            runtime.block_on(async {
                let admin = Database::connect(&server).await.ok()?;
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .ok()?;
                admin.close().await.ok()
            })
        })
        .join();
    }
}

/// Replaces the database name in a postgres:// URL.
pub fn with_database(server: &str, name: &str) -> String {
    let (base, query) = match server.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (server, None),
    };
    let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
    let root = match base[after_scheme..].find('/') {
        Some(slash) => &base[..after_scheme + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{root}/{name}?{query}"),
        None => format!("{root}/{name}"),
    }
}

/// Said once per run, past the test harness's output capture, so a plain
/// `cargo test` shows that only SQLite was exercised.
fn note_postgres_skipped() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = writeln!(
            std::io::stderr(),
            "\nnote: {POSTGRES_ENV} is not set: the PostgreSQL leg was skipped; tests ran on SQLite only.\n"
        );
    });
}

pub fn postgres_server() -> Option<String> {
    std::env::var(POSTGRES_ENV).ok()
}

/// A new, empty PostgreSQL database for a subprocess test; dropped with the
/// returned guard.
pub async fn fresh_postgres(dir: &Path) -> Option<TestDatabase> {
    let _ = postgres_server()?;
    TestDatabase::create(Backend::Postgres, dir).await
}
