//! Where SQLite and PostgreSQL differ, in one place. Hand-written SQL is
//! written once, in PostgreSQL's spelling, and passes through here; each
//! difference says why it exists.

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};

/// A statement written with `$1`, `$2`… placeholders, for either engine.
///
/// SQLite reads `$1` as a *named* parameter, which sqlx would bind by order
/// of appearance; its numbered form is `?1`, so the `$` is rewritten there.
pub fn statement(backend: DbBackend, text: &str, values: impl IntoIterator<Item = Value>) -> Statement {
    let text = match backend {
        DbBackend::Postgres => text.to_string(),
        _ => text.replace('$', "?"),
    };
    Statement::from_sql_and_values(backend, text, values)
}

/// The same, for the backend of `db`.
pub fn statement_for(
    db: &impl ConnectionTrait,
    text: &str,
    values: impl IntoIterator<Item = Value>,
) -> Statement {
    statement(db.get_database_backend(), text, values)
}

/// Appended to the `SELECT` that picks a batch of jobs: on PostgreSQL each
/// worker passes over the rows another worker has locked, so many workers
/// take disjoint batches at once. SQLite's single writer already makes the
/// claims one after another.
pub fn skip_locked(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => " FOR UPDATE SKIP LOCKED",
        _ => "",
    }
}

/// Holds the background job `name` for this transaction: a second worker
/// that asks waits until the first commits. On PostgreSQL this is an
/// advisory lock rather than a lock on the job's state row, because on the
/// first run that row does not exist yet and `FOR UPDATE` would lock
/// nothing. On SQLite the transaction's write lock already does this.
pub async fn hold_job(db: &impl ConnectionTrait, name: &str) -> Result<(), DbErr> {
    if db.get_database_backend() == DbBackend::Postgres {
        let lock = "SELECT pg_advisory_xact_lock(hashtext($1))";
        db.execute(statement(DbBackend::Postgres, lock, [name.into()])).await?;
    }
    Ok(())
}

/// `column` in a condition that must not choose the index: SQLite's planner
/// otherwise scans an index on it when the primary key is the better path
/// (a leading `+` hides the column from index selection). PostgreSQL plans
/// from statistics and needs no hint.
pub fn without_index(backend: DbBackend, column: &str) -> String {
    match backend {
        DbBackend::Postgres => column.to_string(),
        _ => format!("+{column}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_follow_the_engine() {
        let values = [Value::from(1), Value::from("a")];
        let pg = statement(DbBackend::Postgres, "SELECT $1, $2", values.clone());
        let lite = statement(DbBackend::Sqlite, "SELECT $1, $2", values);
        assert_eq!(pg.sql, "SELECT $1, $2");
        assert_eq!(lite.sql, "SELECT ?1, ?2");
    }
}
