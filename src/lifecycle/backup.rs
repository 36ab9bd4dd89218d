//! `icbt backup FILE` and `icbt restore FILE` for the embedded SQLite
//! database. A backup is SQLite's `VACUUM INTO`: one read transaction, so it
//! is a consistent copy even while the server writes. Both write beside the
//! target first and rename, so a half-written file never looks complete.
//! PostgreSQL has `pg_dump` and `pg_restore` for this (see the README).

use std::path::{Path, PathBuf};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbErr, Statement};

use crate::db;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "icbt backup and restore copy the embedded SQLite database; for PostgreSQL use pg_dump and pg_restore \
         (see the README)"
    )]
    NotSqlite,
    #[error("{0} exists already; choose a new file name, so that no earlier backup is overwritten")]
    TargetExists(PathBuf),
    #[error("{0} holds a database already; stop icbt and pass --replace to overwrite it")]
    DatabaseExists(PathBuf),
    #[error("{path} is not an icbt backup: {reason}")]
    NotABackup { path: PathBuf, reason: String },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("database: {0}")]
    Database(#[from] DbErr),
}

/// What a backup or restore copied.
#[derive(Debug)]
pub struct Copied {
    pub bytes: u64,
    pub patients: i64,
}

/// Copies the live database at `url` to `target`.
pub async fn backup(url: &str, target: &Path) -> Result<Copied, BackupError> {
    db::sqlite_file(url).ok_or(BackupError::NotSqlite)?;
    if target.exists() {
        return Err(BackupError::TargetExists(target.to_path_buf()));
    }
    let partial = partial_path(target);
    remove_if_exists(&partial)?;
    let source = Database::connect(url).await?;
    let copy = Statement::from_sql_and_values(
        source.get_database_backend(),
        "VACUUM INTO ?",
        [partial.display().to_string().into()],
    );
    source.execute(copy).await?;
    source.close().await?;
    let copied = check_backup(&partial).await?;
    rename(&partial, target)?;
    Ok(copied)
}

/// Puts the backup at `source` in place of the database at `url`, which must
/// not exist unless `replace`; then brings its schema up to date.
pub async fn restore(url: &str, source: &Path, replace: bool) -> Result<Copied, BackupError> {
    let database = PathBuf::from(db::sqlite_file(url).ok_or(BackupError::NotSqlite)?);
    if database.exists() && !replace {
        return Err(BackupError::DatabaseExists(database));
    }
    check_backup(source).await?;
    if let Some(dir) = database.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| BackupError::Io { path: dir.to_path_buf(), source })?;
    }
    let partial = partial_path(&database);
    std::fs::copy(source, &partial).map_err(|e| BackupError::Io { path: partial.clone(), source: e })?;
    // A write-ahead log left from the replaced database must not be replayed
    // into the restored one.
    for suffix in ["-wal", "-shm"] {
        remove_if_exists(&with_suffix(&database, suffix))?;
    }
    rename(&partial, &database)?;
    let restored = Database::connect(url).await?;
    db::migrate(&restored).await?;
    let copied = Copied { bytes: file_size(&database)?, patients: patients(&restored).await? };
    restored.close().await?;
    Ok(copied)
}

/// Opens `path` read-only and checks it is a whole icbt database.
async fn check_backup(path: &Path) -> Result<Copied, BackupError> {
    let not_a_backup = |reason: String| BackupError::NotABackup { path: path.to_path_buf(), reason };
    if !path.is_file() {
        return Err(not_a_backup("no such file".into()));
    }
    let url = format!("sqlite://{}?mode=ro", path.display());
    let db = Database::connect(&url).await.map_err(|e| not_a_backup(e.to_string()))?;
    let integrity = db
        .query_one(Statement::from_string(db.get_database_backend(), "PRAGMA integrity_check"))
        .await
        .map_err(|e| not_a_backup(e.to_string()))?
        .and_then(|row| row.try_get_by_index::<String>(0).ok())
        .unwrap_or_default();
    if integrity != "ok" {
        return Err(not_a_backup(format!("the integrity check says {integrity:?}")));
    }
    let patients = patients(&db).await.map_err(|_| not_a_backup("it has no icbt tables".into()))?;
    db.close().await?;
    Ok(Copied { bytes: file_size(path)?, patients })
}

async fn patients(db: &DatabaseConnection) -> Result<i64, DbErr> {
    let count = "SELECT COUNT(*) FROM users WHERE role = 'patient'";
    let row = db.query_one(Statement::from_string(db.get_database_backend(), count)).await?;
    Ok(row.and_then(|r| r.try_get_by_index::<i64>(0).ok()).unwrap_or(0))
}

fn partial_path(path: &Path) -> PathBuf {
    with_suffix(path, ".partial")
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn remove_if_exists(path: &Path) -> Result<(), BackupError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(BackupError::Io { path: path.to_path_buf(), source: e })
        }
        _ => Ok(()),
    }
}

fn rename(from: &Path, to: &Path) -> Result<(), BackupError> {
    std::fs::rename(from, to).map_err(|source| BackupError::Io { path: to.to_path_buf(), source })
}

fn file_size(path: &Path) -> Result<u64, BackupError> {
    std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|source| BackupError::Io { path: path.to_path_buf(), source })
}
