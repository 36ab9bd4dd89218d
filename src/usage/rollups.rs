//! Daily rollups of the usage events. A day is rolled up by deleting its rows
//! and recomputing them from the events in one transaction, so running it
//! again gives the same rows (idempotent), and the worker can simply redo
//! the days that are not final yet: from the last rolled-up day to today.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, TransactionTrait};

use crate::{error::AppResult, sql};

const STATE: &str = "daily";

/// The worker's round: catches up unless that was done less than
/// `interval` ago (today's figures are then at most that old), and by at
/// most a month of days per round, so a first catch-up over years of events
/// never holds up the mail for long.
pub async fn catch_up_every(
    db: &DatabaseConnection,
    tz: Tz,
    now: DateTime<Utc>,
    interval: Duration,
) -> AppResult<usize> {
    let last = updated_at(db).await?;
    if last.is_some_and(|at| now - at < interval && at <= now) {
        return Ok(0);
    }
    let Some((from, today)) = pending(db, tz, now).await? else { return Ok(0) };
    rebuild(db, tz, from, today.min(from + Duration::days(30)), now).await
}

/// Recomputes every day from the last one rolled up (or the first event) to
/// the day of `now`; returns how many days it rolled up.
pub async fn catch_up(db: &DatabaseConnection, tz: Tz, now: DateTime<Utc>) -> AppResult<usize> {
    match pending(db, tz, now).await? {
        Some((from, today)) => rebuild(db, tz, from, today, now).await,
        None => Ok(0),
    }
}

/// The days not final yet: from the last one rolled up (or the first
/// event) to today; none before the first event.
async fn pending(
    db: &DatabaseConnection,
    tz: Tz,
    now: DateTime<Utc>,
) -> AppResult<Option<(NaiveDate, NaiveDate)>> {
    let today = now.with_timezone(&tz).date_naive();
    let from = match rolled_from(db).await? {
        Some(day) => Some(day),
        None => first_event_day(db, tz).await?,
    };
    Ok(from.map(|from| (from, today)))
}

/// Recomputes the days `from..=to` from the events.
pub async fn rebuild(
    db: &DatabaseConnection,
    tz: Tz,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let mut day = from;
    let mut days = 0;
    while day <= to {
        let next = day + Duration::days(1);
        // A month's totals are summed again with the last of its days rolled
        // up in this run, in that day's transaction.
        let sum_month = next > to || next.month() != day.month();
        roll_up_day(db, tz, day, sum_month, now).await?;
        day = next;
        days += 1;
    }
    Ok(days)
}

/// What patients do themselves, as opposed to what is done for them.
pub const PATIENT_ACTIVITY: &str = "actor_role = 'patient' AND kind IN ('login', 'page.viewed', \
     'page.completed', 'diary.entry', 'assignment.submitted', 'questionnaire.completed', 'message.sent', \
     'message.read')";

/// The columns of `usage_patient_months`: for each, the events that set the
/// day's bit.
pub const PATIENT_FLAGS: &[(&str, &str)] = &[
    ("active", PATIENT_ACTIVITY),
    ("diary", "kind = 'diary.entry'"),
    ("submitted", "kind = 'assignment.submitted'"),
    ("questionnaire", "kind = 'questionnaire.completed'"),
    ("feedback_due", "kind = 'feedback.due'"),
    ("feedback", "kind = 'feedback.sent'"),
    ("feedback_on_time", "kind = 'feedback.on_time'"),
    ("contact", "kind = 'contact.logged'"),
    ("tailored", "kind IN ('module.opened', 'module.skipped', 'module.locked', 'item.hidden', 'item.shown')"),
    ("enrolled", "kind = 'patient.enrolled'"),
    ("activated", "kind = 'patient.activated'"),
    ("completed", "kind = 'status.completed'"),
    ("dropped_out", "kind = 'status.dropped_out'"),
    ("stepped_up", "kind = 'status.stepped_up'"),
];

/// The columns of `usage_module_months`. Having worked on a module's pages,
/// diaries or assignments counts as having started it.
pub const MODULE_FLAGS: &[(&str, &str)] = &[
    (
        "started",
        "actor_role = 'patient' AND kind IN ('page.viewed', 'page.completed', 'diary.entry', \
         'assignment.submitted')",
    ),
    ("completed", "kind = 'module.completed'"),
];

/// One day, in one transaction that also moves the state forward. On
/// PostgreSQL the state row is locked first, so two workers take turns.
async fn roll_up_day(
    db: &DatabaseConnection,
    tz: Tz,
    day: NaiveDate,
    sum_month: bool,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let backend = db.get_database_backend();
    let txn = db.begin().await?;
    // Two workers never roll up the same day at once.
    sql::hold_job(&txn, STATE).await?;
    let month = day.format("%Y-%m").to_string();
    let bit = 1i32 << (day.day0());
    let window = [start_of(day, tz), start_of(day + Duration::days(1), tz)];
    let run = |text: String, values: Vec<sea_orm::Value>| txn.execute(sql::statement(backend, &text, values));
    run("DELETE FROM usage_daily WHERE day = $1".into(), vec![day.into()]).await?;
    run(count_events(), vec![day.into(), month.clone().into(), window[0].into(), window[1].into()]).await?;
    if sum_month {
        run("DELETE FROM usage_monthly WHERE month = $1".into(), vec![month.clone().into()]).await?;
        run(SUM_MONTH.into(), vec![month.clone().into()]).await?;
    }
    for (table, flags, extra_key) in
        [("usage_patient_months", PATIENT_FLAGS, ""), ("usage_module_months", MODULE_FLAGS, "module_id")]
    {
        run(clear_day(table, flags), vec![bit.into(), month.clone().into()]).await?;
        let values = vec![bit.into(), month.clone().into(), window[0].into(), window[1].into()];
        run(mark_day(table, flags, extra_key), values).await?;
    }
    // Until the day is over it is recomputed again next time.
    let today = now.with_timezone(&tz).date_naive();
    let final_before = if day < today { day + Duration::days(1) } else { day };
    let current = rolled_from(&txn).await?;
    let next = current.map_or(final_before, |c| c.max(final_before));
    save_state(&txn, STATE, next, now).await?;
    txn.commit().await?;
    Ok(())
}

/// A month's events per dimension, from its days.
const SUM_MONTH: &str = "INSERT INTO usage_monthly (month, clinic_id, team_id, therapist_id, program_id, \
     module_id, kind, value_key, events) \
     SELECT month, clinic_id, team_id, therapist_id, program_id, module_id, kind, value_key, SUM(events) \
     FROM usage_daily WHERE month = $1 \
     GROUP BY month, clinic_id, team_id, therapist_id, program_id, module_id, kind, value_key";

/// Events per day and dimension, without the patient.
fn count_events() -> String {
    let value_key =
        "CASE WHEN kind = 'feedback.sent' AND value IS NOT NULL THEN CAST(ROUND(value * 10) AS INTEGER) \
         WHEN kind LIKE 'status.%' AND value IS NOT NULL THEN CAST(value AS INTEGER) ELSE -1 END";
    let dimensions =
        "clinic_id, COALESCE(team_id, ''), COALESCE(therapist_id, ''), COALESCE(program_id, ''), \
         COALESCE(module_id, ''), kind";
    format!(
        "INSERT INTO usage_daily (day, month, clinic_id, team_id, therapist_id, program_id, module_id, kind, \
           value_key, events) \
         SELECT $1, $2, {dimensions}, {value_key}, COUNT(*) FROM usage_events \
         WHERE at >= $3 AND at < $4 AND clinic_id IS NOT NULL GROUP BY {dimensions}, {value_key}"
    )
}

/// Clears the day's bit ($1) in the month's ($2) rows that have it.
fn clear_day(table: &str, flags: &[(&str, &str)]) -> String {
    let sets: Vec<String> = flags.iter().map(|(c, _)| format!("{c} = ({c} & ~$1)")).collect();
    let any: Vec<&str> = flags.iter().map(|(c, _)| *c).collect();
    format!("UPDATE {table} SET {} WHERE month = $2 AND (({}) & $1) <> 0", sets.join(", "), any.join(" | "))
}

/// Sets the day's bit ($1) for each patient (and module) with such events.
fn mark_day(table: &str, flags: &[(&str, &str)], extra_key: &str) -> String {
    let extra = if extra_key.is_empty() { String::new() } else { format!("{extra_key}, ") };
    let key = format!(
        "clinic_id, COALESCE(team_id, ''), COALESCE(therapist_id, ''), COALESCE(program_id, ''), \
         {extra}patient_pseudonym"
    );
    let columns: Vec<&str> = flags.iter().map(|(c, _)| *c).collect();
    let bits: Vec<String> =
        flags.iter().map(|(c, when)| format!("MAX(CASE WHEN {when} THEN $1 ELSE 0 END) AS {c}")).collect();
    let any: Vec<String> = flags.iter().map(|(_, when)| format!("({when})")).collect();
    let merge: Vec<String> = columns.iter().map(|c| format!("{c} = {table}.{c} | excluded.{c}")).collect();
    let not_null = if extra_key.is_empty() { String::new() } else { format!(" AND {extra_key} IS NOT NULL") };
    format!(
        "INSERT INTO {table} (clinic_id, team_id, therapist_id, program_id, {extra}patient_pseudonym, month, {cols}) \
         SELECT {key}, $2, {bits} FROM usage_events \
         WHERE at >= $3 AND at < $4 AND clinic_id IS NOT NULL AND patient_pseudonym IS NOT NULL{not_null} \
           AND ({any}) \
         GROUP BY {key} \
         ON CONFLICT (clinic_id, month, team_id, therapist_id, program_id, {extra}patient_pseudonym) \
         DO UPDATE SET {merge}",
        cols = columns.join(", "),
        bits = bits.join(", "),
        any = any.join(" OR "),
        merge = merge.join(", "),
    )
}

/// When the rollups were last brought up to date.
pub async fn updated_at(db: &impl ConnectionTrait) -> AppResult<Option<DateTime<Utc>>> {
    let text = "SELECT updated_at FROM usage_rollup_state WHERE name = $1";
    let row = db.query_one(sql::statement_for(db, text, [STATE.into()])).await?;
    Ok(row.map(|r| r.try_get("", "updated_at")).transpose()?)
}

async fn rolled_from(db: &impl ConnectionTrait) -> AppResult<Option<NaiveDate>> {
    let text = "SELECT rolled_from FROM usage_rollup_state WHERE name = $1";
    let row = db.query_one(sql::statement_for(db, text, [STATE.into()])).await?;
    Ok(row.map(|r| r.try_get::<NaiveDate>("", "rolled_from")).transpose()?)
}

/// For a job that runs once a day under `name` (its state row shares this
/// table): holds the job in `txn` (on PostgreSQL two workers never both run
/// it) and says whether `today` is still to do. The job then does its work
/// and calls `save_state(txn, name, today + 1 day, now)` before committing.
pub async fn due_today(txn: &impl ConnectionTrait, name: &str, today: NaiveDate) -> AppResult<bool> {
    sql::hold_job(txn, name).await?;
    let read = "SELECT rolled_from FROM usage_rollup_state WHERE name = $1";
    let row = txn.query_one(sql::statement_for(txn, read, [name.into()])).await?;
    let next: Option<NaiveDate> = row.map(|r| r.try_get("", "rolled_from")).transpose()?;
    Ok(next.is_none_or(|next| next <= today))
}

/// Records that the job `name` is done for every day before `rolled_from`.
pub async fn save_state(
    db: &impl ConnectionTrait,
    name: &str,
    rolled_from: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let upsert = "INSERT INTO usage_rollup_state (name, rolled_from, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET rolled_from = excluded.rolled_from, updated_at = excluded.updated_at";
    db.execute(sql::statement_for(db, upsert, [name.into(), rolled_from.into(), now.into()])).await?;
    Ok(())
}

pub async fn first_event_day(db: &impl ConnectionTrait, tz: Tz) -> AppResult<Option<NaiveDate>> {
    let backend = db.get_database_backend();
    let row =
        db.query_one(Statement::from_string(backend, "SELECT MIN(at) AS first FROM usage_events")).await?;
    let first: Option<DateTime<Utc>> = row.map(|r| r.try_get("", "first")).transpose()?.flatten();
    Ok(first.map(|at| at.with_timezone(&tz).date_naive()))
}

/// Midnight of `day` in `tz`, as an instant.
pub fn start_of(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    tz.from_local_datetime(&midnight).earliest().map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
}
