//! Diary reminders a patient asks for: an e-mail at the time they pick, on
//! days without a diary entry yet. After three unanswered reminders in a row
//! they stop until the patient writes in their diary again.

use chrono::{DateTime, NaiveTime, Utc};
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde::{Deserialize, Serialize};
use tera::Context;

use crate::entities::enums::EnrollmentStatus;
use crate::{
    entities::{diary_entries, diary_reminders, enrollments, users},
    error::{AppError, AppResult},
    mail::{self, Email},
    state::AppState,
    web::Lang,
};

/// Reminders stop after this many in a row without a diary entry.
pub const MAX_UNANSWERED: i32 = 3;

/// The patient's choice (`/api/v1/me/diary-reminder`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ReminderSettings {
    pub enabled: bool,
    /// HH:MM, in the clinic's time zone
    pub local_time: String,
}

impl Default for ReminderSettings {
    fn default() -> Self {
        ReminderSettings { enabled: false, local_time: "20:00".into() }
    }
}

pub async fn load(db: &impl ConnectionTrait, enrollment_id: &str) -> AppResult<ReminderSettings> {
    Ok(diary_reminders::Entity::find_by_id(enrollment_id.to_string()).one(db).await?.map_or_else(
        ReminderSettings::default,
        |r| ReminderSettings { enabled: r.enabled, local_time: r.local_time },
    ))
}

pub async fn save(
    db: &impl ConnectionTrait,
    enrollment_id: &str,
    settings: &ReminderSettings,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if NaiveTime::parse_from_str(&settings.local_time, "%H:%M").is_err() {
        return Err(AppError::field("local_time", "Enter a time such as 20:00."));
    }
    let row = diary_reminders::ActiveModel {
        enrollment_id: Set(enrollment_id.to_string()),
        enabled: Set(settings.enabled),
        local_time: Set(settings.local_time.clone()),
        unanswered: Set(0),
        last_sent_on: Set(None),
        updated_at: Set(now),
    };
    let conflict = OnConflict::column(diary_reminders::Column::EnrollmentId)
        .update_columns([
            diary_reminders::Column::Enabled,
            diary_reminders::Column::LocalTime,
            diary_reminders::Column::Unanswered,
            diary_reminders::Column::UpdatedAt,
        ])
        .to_owned();
    diary_reminders::Entity::insert(row).on_conflict(conflict).exec_without_returning(db).await?;
    Ok(())
}

/// A diary entry answers the reminders: they may start again.
pub async fn answered(db: &impl ConnectionTrait, enrollment_id: &str) -> AppResult<()> {
    diary_reminders::Entity::update_many()
        .col_expr(diary_reminders::Column::Unanswered, Expr::value(0))
        .filter(diary_reminders::Column::EnrollmentId.eq(enrollment_id))
        .filter(diary_reminders::Column::Unanswered.gt(0))
        .exec(db)
        .await?;
    Ok(())
}

/// Sends the reminders whose time has come today, each at most once a day.
pub async fn send_due_reminders(state: &AppState, now: DateTime<Utc>) -> AppResult<usize> {
    let local = now.with_timezone(&state.settings.care.timezone);
    let today = local.date_naive();
    let not_today = Condition::any()
        .add(diary_reminders::Column::LastSentOn.is_null())
        .add(diary_reminders::Column::LastSentOn.lt(today));
    let candidates = diary_reminders::Entity::find()
        .filter(diary_reminders::Column::Enabled.eq(true))
        .filter(diary_reminders::Column::Unanswered.lt(MAX_UNANSWERED))
        .filter(diary_reminders::Column::LocalTime.lte(local.format("%H:%M").to_string()))
        .filter(not_today.clone())
        .all(&state.db)
        .await?;
    let mut sent = 0;
    for reminder in candidates {
        let written = diary_entries::Entity::find()
            .filter(diary_entries::Column::EnrollmentId.eq(&reminder.enrollment_id))
            .filter(diary_entries::Column::EntryDate.eq(today))
            .count(&state.db)
            .await?;
        let txn = sea_orm::TransactionTrait::begin(&state.db).await?;
        // The conditional update is the claim: one worker, once a day.
        let mut claim = diary_reminders::Entity::update_many()
            .col_expr(diary_reminders::Column::LastSentOn, Expr::value(today))
            .filter(diary_reminders::Column::EnrollmentId.eq(&reminder.enrollment_id))
            .filter(not_today.clone());
        if written == 0 {
            claim = claim.col_expr(
                diary_reminders::Column::Unanswered,
                Expr::col(diary_reminders::Column::Unanswered).add(1),
            );
        }
        let won = claim.exec(&txn).await?.rows_affected == 1;
        if won && written == 0 && queue_reminder(state, &txn, &reminder.enrollment_id, now).await? {
            sent += 1;
        }
        txn.commit().await?;
    }
    Ok(sent)
}

async fn queue_reminder(
    state: &AppState,
    db: &impl ConnectionTrait,
    enrollment_id: &str,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let Some(enrollment) = enrollments::Entity::find_by_id(enrollment_id.to_string()).one(db).await? else {
        return Ok(false);
    };
    if enrollment.status != EnrollmentStatus::Active {
        return Ok(false);
    }
    let Some(patient) = users::Entity::find_by_id(enrollment.patient_id).one(db).await?.filter(|u| u.active)
    else {
        return Ok(false);
    };
    let base = &state.settings.server.public_url;
    let lang = Lang::from_code(&patient.locale).unwrap_or_default();
    let mut context = Context::new();
    context.insert("name", &patient.name);
    context.insert("url", &format!("{base}/"));
    context.insert("settings_url", &format!("{base}/settings/reminders"));
    let email = Email {
        kind: crate::entities::states::MailKind::DiaryReminder,
        to: patient.email,
        subject: state.views.text(lang, "reminder-subject"),
        body: state.views.render_text("mail/diary_reminder.txt", lang, context)?,
    };
    mail::enqueue(db, email, base, now).await?;
    Ok(true)
}
