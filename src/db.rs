//! Connecting to SQLite or PostgreSQL and bringing the schema up to date.

use std::path::Path;

use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr};

use crate::config::DatabaseSettings;

/// Opens the pool. A SQLite file's folder is created; WAL, a busy timeout and
/// foreign keys are switched on for every connection.
pub async fn connect(settings: &DatabaseSettings) -> Result<DatabaseConnection, DbErr> {
    if let Some(path) = sqlite_file(&settings.url) {
        if let Some(dir) = Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", dir.display())))?;
        }
    }
    // SQLite has one writer at a time, and a deferred transaction that reads
    // before it writes fails at once (SQLITE_BUSY) when another connection
    // holds the write lock, whatever the busy timeout. One connection queues
    // every statement in order instead; SQLite answers in microseconds.
    let max_connections = if sqlite_file(&settings.url).is_some() { 1 } else { settings.max_connections };
    let mut options = ConnectOptions::new(settings.url.clone());
    options
        .max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(std::time::Duration::from_secs(5))
        .acquire_timeout(std::time::Duration::from_secs(10))
        // Statements may carry patient data in literals; keep them out of logs.
        .sqlx_logging(false);
    let busy_timeout = settings.busy_timeout;
    options.map_sqlx_sqlite_opts(move |o| {
        o.journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(busy_timeout)
            .foreign_keys(true)
    });
    Database::connect(options).await
}

/// The pool that reports read from. On a SQLite file it is a pool of its
/// own, read-only, so that a report's aggregate queries run on both cores
/// beside each other and never queue behind the single writer (in WAL mode
/// readers and the writer do not wait for one another). On PostgreSQL it is
/// the main pool (a read replica would go here).
pub async fn connect_reader(
    settings: &DatabaseSettings,
    main: &DatabaseConnection,
) -> Result<DatabaseConnection, DbErr> {
    if sqlite_file(&settings.url).is_none() {
        return Ok(main.clone());
    }
    let mut options = ConnectOptions::new(settings.url.clone());
    options
        .max_connections(REPORT_READERS)
        .min_connections(1)
        .connect_timeout(std::time::Duration::from_secs(5))
        .acquire_timeout(std::time::Duration::from_secs(10))
        .sqlx_logging(false);
    let busy_timeout = settings.busy_timeout;
    options
        .map_sqlx_sqlite_opts(move |o| o.read_only(true).create_if_missing(false).busy_timeout(busy_timeout));
    Database::connect(options).await
}

/// Report readers on SQLite: enough to keep two cores busy while one waits
/// on the disk.
const REPORT_READERS: u32 = 4;

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// True when the database answers a trivial query.
pub async fn is_ready(db: &DatabaseConnection) -> bool {
    let probe = sea_orm::Statement::from_string(db.get_database_backend(), "SELECT 1");
    db.execute(probe).await.is_ok()
}

pub fn is_sqlite(db: &DatabaseConnection) -> bool {
    db.get_database_backend() == DbBackend::Sqlite
}

/// The file path of a SQLite URL; `None` for PostgreSQL or an in-memory database.
pub fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then_some(path)
}
