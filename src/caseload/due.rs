//! When feedback is due: on the patient's feedback weekday, one or two weeks
//! after the last feedback (or after the start of treatment).

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait};

use crate::{
    accounts::Role,
    enrollment::service::{status, Cadence},
    entities::enrollments,
    error::AppResult,
    sql,
    usage::{self, UsageEvent},
};

const STATE: &str = "feedback_due";

/// When this patient's next feedback is due: counted from the last feedback,
/// or from the start of treatment before the first.
pub fn feedback_due_on(enrollment: &enrollments::Model, timezone: Tz) -> NaiveDate {
    let anchor = enrollment.last_feedback_at.or(enrollment.activated_at).unwrap_or(enrollment.enrolled_at);
    let cadence = Cadence::parse(&enrollment.feedback_cadence).unwrap_or(Cadence::Weekly);
    next_due(anchor.with_timezone(&timezone).date_naive(), cadence, enrollment.feedback_weekday)
}

/// The first feedback weekday at least a week (weekly) or a week and a day
/// (fortnightly) after `anchor`, so feedback given on the day is not due again
/// at once. `weekday` counts from Monday = 0.
pub fn next_due(anchor: NaiveDate, cadence: Cadence, weekday: i32) -> NaiveDate {
    let earliest = match cadence {
        Cadence::Weekly => anchor + Duration::days(1),
        Cadence::Fortnightly => anchor + Duration::days(8),
    };
    let ahead = (weekday - earliest.weekday().num_days_from_monday() as i32).rem_euclid(7);
    earliest + Duration::days(ahead.into())
}

/// Records a `feedback.due` usage event for every active patient whose
/// feedback falls due on a day since the last run, up to today, so reports
/// can set feedback given on time against feedback due. Runs once a day
/// (the worker calls it every round); the first run starts with today. On
/// PostgreSQL the state row is locked, so two workers never both record.
pub async fn record_due_feedback(db: &DatabaseConnection, tz: Tz, now: DateTime<Utc>) -> AppResult<usize> {
    let backend = db.get_database_backend();
    let today = now.with_timezone(&tz).date_naive();
    let txn = db.begin().await?;
    // Two workers never record the same day's feedback due twice.
    sql::hold_job(&txn, STATE).await?;
    let read = "SELECT rolled_from FROM usage_rollup_state WHERE name = $1";
    let row = txn.query_one(sql::statement(backend, read, [STATE.into()])).await?;
    let next: NaiveDate = match row {
        Some(row) => row.try_get("", "rolled_from")?,
        None => today,
    };
    if next > today {
        return Ok(0);
    }
    let active = enrollments::Entity::find()
        .filter(enrollments::Column::Status.eq(status::ACTIVE))
        .filter(enrollments::Column::ActivatedAt.is_not_null())
        .all(&txn)
        .await?;
    let mut recorded = 0;
    for enrollment in &active {
        let due = feedback_due_on(enrollment, tz);
        if (next..=today).contains(&due) {
            let day = due.to_string();
            let event = UsageEvent::new("feedback.due").item(&day);
            usage::record(&txn, enrollment, Role::Therapist, event, now).await?;
            recorded += 1;
        }
    }
    usage::rollups::save_state(&txn, STATE, today + Duration::days(1), now).await?;
    txn.commit().await?;
    Ok(recorded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn weekly_is_the_next_feedback_day() {
        // 2026-03-02 is a Monday; Thursday = 3.
        assert_eq!(next_due(day("2026-03-02"), Cadence::Weekly, 3), day("2026-03-05"));
        assert_eq!(
            next_due(day("2026-03-05"), Cadence::Weekly, 3),
            day("2026-03-12"),
            "not the same day again"
        );
        assert_eq!(next_due(day("2026-03-06"), Cadence::Weekly, 3), day("2026-03-12"));
    }

    #[test]
    fn fortnightly_skips_a_week() {
        assert_eq!(next_due(day("2026-03-05"), Cadence::Fortnightly, 3), day("2026-03-19"));
        assert_eq!(next_due(day("2026-03-02"), Cadence::Fortnightly, 3), day("2026-03-12"));
    }
}
