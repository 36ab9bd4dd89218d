//! Sending and reading messages, and writing feedback.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};

use crate::{
    accounts::Role,
    audit,
    auth::Principal,
    digests::{self, NotificationKind},
    enrollment,
    entities::{diary_entries, enrollments, messages, questionnaire_responses, submissions},
    error::{AppError, AppResult},
    ids,
    state::AppState,
    usage::{self, UsageEvent},
    web::ClientInfo,
};

pub const MAX_LENGTH: usize = 5000;

fn check_body(body: &str) -> AppResult<String> {
    let body = body.trim();
    let length = body.chars().count();
    if length == 0 {
        return Err(AppError::field("body", "Write a message first."));
    }
    if length > MAX_LENGTH {
        return Err(AppError::field(
            "body",
            format!("Please keep a message to {MAX_LENGTH} characters (now {length})."),
        ));
    }
    Ok(body.to_string())
}

/// The thread, oldest first.
pub async fn thread(db: &impl ConnectionTrait, enrollment_id: &str) -> AppResult<Vec<messages::Model>> {
    Ok(messages::Entity::find()
        .filter(messages::Column::EnrollmentId.eq(enrollment_id))
        .order_by_asc(messages::Column::SentAt)
        .order_by_asc(messages::Column::Id)
        .all(db)
        .await?)
}

/// Marks the other side's messages read for `reader_role`; reading counts
/// as a usage event (with how many were new).
pub async fn mark_read(
    db: &impl ConnectionTrait,
    enrollment: &enrollments::Model,
    reader_role: Role,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let from = if reader_role == Role::Patient { Role::Therapist } else { Role::Patient };
    let read = messages::Entity::update_many()
        .col_expr(messages::Column::ReadAt, Some(now).into())
        .filter(messages::Column::EnrollmentId.eq(&enrollment.id))
        .filter(messages::Column::FromRole.eq(from))
        .filter(messages::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    if read.rows_affected > 0 {
        let event = UsageEvent::new("message.read").value(read.rows_affected as f64);
        usage::record(db, enrollment, reader_role, event, now).await?;
    }
    Ok(())
}

/// A message from the patient to their therapist.
pub async fn send_from_patient(
    state: &AppState,
    enrollment: &enrollments::Model,
    patient: &Principal,
    body: &str,
) -> AppResult<String> {
    let body = check_body(body)?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let id = insert(&txn, enrollment, patient.id(), Role::Patient, body, false, now).await?;
    usage::record(&txn, enrollment, Role::Patient, UsageEvent::new("message.sent"), now).await?;
    digests::notify(&txn, enrollment, NotificationKind::Message, None, now).await?;
    enrollment::service::touch(&txn, &enrollment.id, now).await?;
    txn.commit().await?;
    Ok(id)
}

async fn insert(
    db: &impl ConnectionTrait,
    enrollment: &enrollments::Model,
    sender_id: &str,
    role: Role,
    body: String,
    is_feedback: bool,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let row = messages::ActiveModel {
        id: Set(ids::new_id()),
        enrollment_id: Set(enrollment.id.clone()),
        sender_id: Set(sender_id.to_string()),
        from_role: Set(role),
        body: Set(body),
        is_feedback: Set(is_feedback),
        sent_at: Set(now),
        read_at: Set(None),
    };
    Ok(messages::Entity::insert(row).exec_with_returning(db).await?.id)
}

/// Feedback from the therapist: the explicit act the schedule asks for. It
/// marks everything since the last feedback as reviewed, so the caseload
/// counts start again from zero, moves the next feedback day on, and counts
/// toward implementation fidelity.
pub async fn send_feedback(
    state: &AppState,
    enrollment: &enrollments::Model,
    therapist: &Principal,
    body: &str,
    client: &ClientInfo,
) -> AppResult<String> {
    let body = check_body(body)?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let latency =
        oldest_unreviewed(&txn, &enrollment.id).await?.map(|t| (now - t).num_minutes() as f64 / 60.0);
    let id = insert(&txn, enrollment, therapist.id(), Role::Therapist, body, true, now).await?;
    mark_reviewed(&txn, &enrollment.id, now).await?;
    reach_patient(&txn, enrollment, now).await?;
    enrollments::Entity::update_many()
        .col_expr(enrollments::Column::LastFeedbackAt, Some(now).into())
        .filter(enrollments::Column::Id.eq(&enrollment.id))
        .exec(&txn)
        .await?;
    let mut event = UsageEvent::new("feedback.sent");
    if let Some(hours) = latency {
        event = event.value(hours);
    }
    usage::record(&txn, enrollment, Role::Therapist, event, now).await?;
    count_occasion(&txn, enrollment, state.settings.care.timezone, now).await?;
    audit::record(
        &txn,
        therapist.audit("patient.feedback_sent").target("patient", &enrollment.id),
        client,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// A short answer from the therapist between feedback days (to a question,
/// say): the patient is told, but nothing is marked reviewed, the feedback
/// day stays where it is and fidelity does not count it.
pub async fn send_reply(
    state: &AppState,
    enrollment: &enrollments::Model,
    therapist: &Principal,
    body: &str,
    client: &ClientInfo,
) -> AppResult<String> {
    let body = check_body(body)?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let id = insert(&txn, enrollment, therapist.id(), Role::Therapist, body, false, now).await?;
    reach_patient(&txn, enrollment, now).await?;
    usage::record(&txn, enrollment, Role::Therapist, UsageEvent::new("message.sent"), now).await?;
    let entry = therapist.audit("patient.message_sent").target("patient", &enrollment.id);
    audit::record(&txn, entry, client, now).await?;
    txn.commit().await?;
    Ok(id)
}

/// What any message from the therapist does: the patient's messages are
/// read, the digest has nothing new to say about them, and the patient gets
/// a content-free notice.
async fn reach_patient(
    db: &impl ConnectionTrait,
    enrollment: &enrollments::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    mark_read(db, enrollment, Role::Therapist, now).await?;
    digests::mark_seen(db, &enrollment.id, now).await?;
    digests::notice_patient(db, &enrollment.id, digests::PatientNotice::NewMessage, now).await
}

/// Implementation fidelity: feedback given by its day (and within the
/// period before it) meets that day's occasion, once. Feedback given before
/// the day also records the occasion as due: the schedule moves past it, and
/// the daily job skips an occasion already recorded, so on time never
/// outnumbers due.
async fn count_occasion(
    db: &impl ConnectionTrait,
    enrollment: &enrollments::Model,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
) -> AppResult<()> {
    use crate::enrollment::schedule::{feedback_due_on, meets};
    let occasion = feedback_due_on(enrollment, tz);
    let today = now.with_timezone(&tz).date_naive();
    if !meets(today, occasion, enrollment.feedback_cadence)
        || enrollment.feedback_on_time_for == Some(occasion)
    {
        return Ok(());
    }
    let day = occasion.to_string();
    if enrollment.feedback_due_for != Some(occasion) {
        usage::record(db, enrollment, Role::Therapist, UsageEvent::new("feedback.due").item(&day), now)
            .await?;
    }
    usage::record(db, enrollment, Role::Therapist, UsageEvent::new("feedback.on_time").item(&day), now)
        .await?;
    enrollments::Entity::update_many()
        .col_expr(enrollments::Column::FeedbackDueFor, Some(occasion).into())
        .col_expr(enrollments::Column::FeedbackOnTimeFor, Some(occasion).into())
        .filter(enrollments::Column::Id.eq(&enrollment.id))
        .exec(db)
        .await?;
    Ok(())
}

async fn mark_reviewed(db: &impl ConnectionTrait, enrollment_id: &str, now: DateTime<Utc>) -> AppResult<()> {
    diary_entries::Entity::update_many()
        .col_expr(diary_entries::Column::ReviewedAt, Some(now).into())
        .filter(diary_entries::Column::EnrollmentId.eq(enrollment_id))
        .filter(diary_entries::Column::ReviewedAt.is_null())
        .exec(db)
        .await?;
    submissions::Entity::update_many()
        .col_expr(submissions::Column::ReviewedAt, Some(now).into())
        .filter(submissions::Column::EnrollmentId.eq(enrollment_id))
        .filter(submissions::Column::Status.eq(crate::entities::states::SubmissionStatus::Submitted))
        .filter(submissions::Column::ReviewedAt.is_null())
        .exec(db)
        .await?;
    questionnaire_responses::Entity::update_many()
        .col_expr(questionnaire_responses::Column::ReviewedAt, Some(now).into())
        .filter(questionnaire_responses::Column::EnrollmentId.eq(enrollment_id))
        .filter(questionnaire_responses::Column::ReviewedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// The earliest patient activity the therapist has not yet responded to, for
/// the feedback latency.
async fn oldest_unreviewed(
    db: &impl ConnectionTrait,
    enrollment_id: &str,
) -> AppResult<Option<DateTime<Utc>>> {
    let diary = diary_entries::Entity::find()
        .filter(diary_entries::Column::EnrollmentId.eq(enrollment_id))
        .filter(diary_entries::Column::ReviewedAt.is_null())
        .order_by_asc(diary_entries::Column::CreatedAt)
        .one(db)
        .await?
        .map(|e| e.created_at);
    let submission = submissions::Entity::find()
        .filter(submissions::Column::EnrollmentId.eq(enrollment_id))
        .filter(submissions::Column::Status.eq(crate::entities::states::SubmissionStatus::Submitted))
        .filter(submissions::Column::ReviewedAt.is_null())
        .order_by_asc(submissions::Column::SubmittedAt)
        .one(db)
        .await?
        .and_then(|s| s.submitted_at);
    let message = messages::Entity::find()
        .filter(messages::Column::EnrollmentId.eq(enrollment_id))
        .filter(messages::Column::FromRole.eq(Role::Patient))
        .filter(messages::Column::ReadAt.is_null())
        .order_by_asc(messages::Column::SentAt)
        .one(db)
        .await?
        .map(|m| m.sent_at);
    Ok([diary, submission, message].into_iter().flatten().min())
}
