//! The daily `feedback.due` usage events, from the feedback schedule, so
//! reports can set feedback given on time against feedback due.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait};

use crate::entities::enums::EnrollmentStatus;
use crate::{
    accounts::Role,
    enrollment::schedule::feedback_due_on,
    entities::enrollments,
    error::AppResult,
    sql,
    usage::{self, UsageEvent},
};

const STATE: &str = "feedback_due";

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
        .filter(enrollments::Column::Status.eq(EnrollmentStatus::Active))
        .filter(enrollments::Column::ActivatedAt.is_not_null())
        .all(&txn)
        .await?;
    let mut recorded = 0;
    for enrollment in &active {
        let due = feedback_due_on(enrollment, tz);
        // Feedback given early has already recorded its occasion.
        if (next..=today).contains(&due) && enrollment.feedback_due_for != Some(due) {
            let day = due.to_string();
            let event = UsageEvent::new("feedback.due").item(&day);
            usage::record(&txn, enrollment, Role::Therapist, event, now).await?;
            enrollments::Entity::update_many()
                .col_expr(enrollments::Column::FeedbackDueFor, Some(due).into())
                .filter(enrollments::Column::Id.eq(&enrollment.id))
                .exec(&txn)
                .await?;
            recorded += 1;
        }
    }
    usage::rollups::save_state(&txn, STATE, today + Duration::days(1), now).await?;
    txn.commit().await?;
    Ok(recorded)
}
