//! The therapist's notification centre: the same digests the e-mails carry
//! (or would carry, for in-app-only therapists), pending and recent, with the
//! urgent risk alerts on top and the day's booster tip, so a therapist who
//! takes no e-mail gets the tips too.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

use crate::entities::states::DigestStatus;
use crate::{
    entities::{digests, enrollments, notifications},
    error::AppResult,
};

/// How far back the centre looks.
const DAYS: i64 = 14;

/// One digest as the centre shows it (API: `GET /api/v1/me/notifications`).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DigestEntry {
    pub patient_id: String,
    pub case_code: String,
    /// When the window closes (pending) or closed.
    pub due_at: DateTime<Utc>,
    /// pending, sent, shown (in-app only) or dead
    pub status: String,
    pub diary_entries: i32,
    pub submissions: i32,
    pub pages_completed: i32,
    pub messages: i32,
    pub questionnaires: i32,
    pub modules_completed: i32,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct NotificationCentre {
    /// Patients with a risk answer the therapist has not yet looked at.
    pub urgent: Vec<UrgentEntry>,
    pub digests: Vec<DigestEntry>,
    /// Today's booster tip on guiding online, as today's digest carries it.
    pub tip: Option<TipEntry>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TipEntry {
    pub id: String,
    pub title: String,
    pub text: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct UrgentEntry {
    pub patient_id: String,
    pub case_code: String,
    pub at: DateTime<Utc>,
}

/// The therapist's pending digests and those of the last two weeks, newest
/// window first; digests suppressed because everything was seen are left out.
pub async fn centre(
    db: &impl ConnectionTrait,
    content: &crate::content::Catalogue,
    therapist_id: &str,
    now: DateTime<Utc>,
) -> AppResult<NotificationCentre> {
    let rows = digests::Entity::find()
        .filter(digests::Column::TherapistId.eq(therapist_id))
        .filter(digests::Column::Status.ne(DigestStatus::Suppressed))
        .filter(
            Condition::any()
                .add(digests::Column::Status.eq(DigestStatus::Pending))
                .add(digests::Column::DueAt.gte(now - Duration::days(DAYS))),
        )
        .order_by_desc(digests::Column::DueAt)
        .limit(300)
        .all(db)
        .await?;
    let risks = notifications::Entity::find()
        .filter(notifications::Column::TherapistId.eq(therapist_id))
        .filter(notifications::Column::Urgent.eq(true))
        .filter(notifications::Column::SeenAt.is_null())
        .order_by_desc(notifications::Column::CreatedAt)
        .all(db)
        .await?;
    let ids =
        rows.iter().map(|d| d.enrollment_id.clone()).chain(risks.iter().map(|n| n.enrollment_id.clone()));
    let codes = case_codes(db, ids.collect()).await?;
    let code = |id: &str| codes.get(id).cloned().unwrap_or_default();
    let tip = super::delivery::tip_of_the_day(content, therapist_id, now).map(|t| TipEntry {
        id: t.id.clone(),
        title: t.title.clone(),
        text: t.text.clone(),
    });
    Ok(NotificationCentre {
        tip,
        urgent: risks
            .into_iter()
            .map(|n| UrgentEntry {
                case_code: code(&n.enrollment_id),
                patient_id: n.enrollment_id,
                at: n.created_at,
            })
            .collect(),
        digests: rows
            .into_iter()
            .map(|d| DigestEntry {
                case_code: code(&d.enrollment_id),
                patient_id: d.enrollment_id,
                due_at: d.due_at,
                status: d.status.as_str().into(),
                diary_entries: d.diary_entries,
                submissions: d.submissions,
                pages_completed: d.pages_completed,
                messages: d.messages,
                questionnaires: d.questionnaires,
                modules_completed: d.modules_completed,
            })
            .collect(),
    })
}

/// The case codes of these enrollments, by id.
async fn case_codes(
    db: &impl ConnectionTrait,
    ids: Vec<String>,
) -> AppResult<std::collections::HashMap<String, String>> {
    let found = enrollments::Entity::find().filter(enrollments::Column::Id.is_in(ids)).all(db).await?;
    Ok(found.into_iter().map(|e| (e.id, e.case_code)).collect())
}
