//! Adding notifications and marking them seen. Every notification also adds
//! to the pending digest for its therapist, patient and window, in the
//! caller's transaction, so activity and digest can never disagree.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};

use super::{settings, windows::window_end};
use crate::{
    enrollment::schedule::feedback_due_on,
    entities::{
        digests, enrollments, notifications,
        states::{DigestCadence, DigestStatus},
    },
    error::AppResult,
    ids,
};

/// The digest's count columns, one per kind of activity.
pub const COUNT_COLUMNS: [digests::Column; 6] = [
    digests::Column::DiaryEntries,
    digests::Column::Submissions,
    digests::Column::PagesCompleted,
    digests::Column::Messages,
    digests::Column::Questionnaires,
    digests::Column::ModulesCompleted,
];

pub use crate::entities::enums::NotificationKind;

/// The digest column a kind counts in; risk is never batched.
fn digest_column(kind: NotificationKind) -> Option<digests::Column> {
    match kind {
        NotificationKind::DiaryEntry => Some(digests::Column::DiaryEntries),
        NotificationKind::Submission => Some(digests::Column::Submissions),
        NotificationKind::PageCompleted => Some(digests::Column::PagesCompleted),
        NotificationKind::Message => Some(digests::Column::Messages),
        NotificationKind::Questionnaire => Some(digests::Column::Questionnaires),
        NotificationKind::ModuleCompleted => Some(digests::Column::ModulesCompleted),
        NotificationKind::Risk => None,
    }
}

/// Adds a notification for the patient's therapist.
pub async fn notify(
    db: &impl ConnectionTrait,
    enrollment: &enrollments::Model,
    kind: NotificationKind,
    item_id: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let row = notifications::ActiveModel {
        id: Set(ids::new_id()),
        clinic_id: Set(enrollment.clinic_id.clone()),
        therapist_id: Set(enrollment.therapist_id.clone()),
        enrollment_id: Set(enrollment.id.clone()),
        kind: Set(kind),
        item_id: Set(item_id.map(str::to_string)),
        urgent: Set(kind == NotificationKind::Risk),
        created_at: Set(now),
        seen_at: Set(None),
    };
    notifications::Entity::insert(row).exec_without_returning(db).await?;
    match digest_column(kind) {
        Some(column) => add_to_digest(db, enrollment, column, now).await,
        None => Ok(()),
    }
}

/// One more of `column` in the pending digest whose window `now` falls in:
/// an insert, or one atomic increment when the digest exists (both databases
/// do `INSERT … ON CONFLICT … DO UPDATE`).
async fn add_to_digest(
    db: &impl ConnectionTrait,
    enrollment: &enrollments::Model,
    column: digests::Column,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let preferences = settings::load(db, &enrollment.therapist_id).await?;
    let tz: Tz = preferences.timezone.parse().unwrap_or(chrono_tz::Europe::Amsterdam);
    let due_at = window_end(&preferences, feedback_due_on(enrollment, tz), now);
    let mut row = digests::ActiveModel {
        id: Set(ids::new_id()),
        clinic_id: Set(enrollment.clinic_id.clone()),
        therapist_id: Set(enrollment.therapist_id.clone()),
        enrollment_id: Set(enrollment.id.clone()),
        due_at: Set(due_at),
        by_email: Set(preferences.cadence() != DigestCadence::InApp),
        layout: Set(preferences.layout()),
        diary_entries: Set(0),
        submissions: Set(0),
        pages_completed: Set(0),
        messages: Set(0),
        questionnaires: Set(0),
        modules_completed: Set(0),
        first_event_at: Set(now),
        last_event_at: Set(now),
        status: Set(DigestStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(due_at),
        lease_owner: Set(None),
        lease_until: Set(None),
        outbox_id: Set(None),
        done_at: Set(None),
    };
    sea_orm::ActiveModelTrait::set(&mut row, column, 1.into());
    let conflict = OnConflict::columns([
        digests::Column::TherapistId,
        digests::Column::EnrollmentId,
        digests::Column::DueAt,
    ])
    .value(column, Expr::col((digests::Entity, column)).add(1))
    .value(digests::Column::LastEventAt, Expr::value(now))
    .value(digests::Column::Status, Expr::value(DigestStatus::Pending))
    .to_owned();
    digests::Entity::insert(row).on_conflict(conflict).exec_without_returning(db).await?;
    Ok(())
}

/// The therapist has looked at (or written feedback for) this patient: what
/// was pending counts as seen.
pub async fn mark_seen(db: &impl ConnectionTrait, enrollment_id: &str, now: DateTime<Utc>) -> AppResult<()> {
    notifications::Entity::update_many()
        .col_expr(notifications::Column::SeenAt, Some(now).into())
        .filter(notifications::Column::EnrollmentId.eq(enrollment_id))
        .filter(notifications::Column::SeenAt.is_null())
        .exec(db)
        .await?;
    // A digest not yet claimed by a worker would only repeat what was seen.
    let mut suppress = digests::Entity::update_many()
        .col_expr(digests::Column::Status, Expr::value(DigestStatus::Suppressed))
        .col_expr(digests::Column::DoneAt, Expr::value(now))
        .col_expr(digests::Column::LeaseOwner, Expr::value(Option::<String>::None))
        .col_expr(digests::Column::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None));
    for column in COUNT_COLUMNS {
        suppress = suppress.col_expr(column, Expr::value(0));
    }
    suppress
        .filter(digests::Column::EnrollmentId.eq(enrollment_id))
        .filter(digests::Column::Status.eq(DigestStatus::Pending))
        .filter(
            sea_orm::Condition::any()
                .add(digests::Column::LeaseOwner.is_null())
                .add(digests::Column::LeaseUntil.lt(now)),
        )
        .exec(db)
        .await?;
    Ok(())
}
