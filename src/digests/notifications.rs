//! Adding notifications and marking them seen.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::{
    entities::{enrollments, notifications},
    error::AppResult,
    ids,
};

/// What a notification is about; the digest counts them by kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotificationKind {
    DiaryEntry,
    Submission,
    PageCompleted,
    Message,
    Questionnaire,
    ModuleCompleted,
    /// A questionnaire risk rule: never batched, never switched off.
    Risk,
}

impl NotificationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::DiaryEntry => "diary_entry",
            NotificationKind::Submission => "submission",
            NotificationKind::PageCompleted => "page_completed",
            NotificationKind::Message => "message",
            NotificationKind::Questionnaire => "questionnaire",
            NotificationKind::ModuleCompleted => "module_completed",
            NotificationKind::Risk => "risk",
        }
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
        kind: Set(kind.as_str().to_string()),
        item_id: Set(item_id.map(str::to_string)),
        urgent: Set(kind == NotificationKind::Risk),
        created_at: Set(now),
        seen_at: Set(None),
    };
    notifications::Entity::insert(row).exec_without_returning(db).await?;
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
    Ok(())
}
