//! The patient's own e-mails: "you have a new message from your therapist",
//! "a new module is open" and "a questionnaire is ready for you", never with
//! content, at most one a day. Events
//! raise a flag in the caller's transaction; the worker sends what is flagged
//! once a day has passed since the last notice.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
};
use tera::Context;

use crate::entities::enums::EnrollmentStatus;
use crate::{
    entities::{enrollments, patient_notices, users},
    error::AppResult,
    mail::{self, Email},
    state::AppState,
    web::Lang,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatientNotice {
    NewMessage,
    ModuleOpened,
    QuestionnaireDue,
    ProgramWaiting,
}

/// Flags the notice for the patient of `enrollment_id`.
pub async fn notice_patient(
    db: &impl ConnectionTrait,
    enrollment_id: &str,
    notice: PatientNotice,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let flag = match notice {
        PatientNotice::NewMessage => patient_notices::Column::NewMessage,
        PatientNotice::ModuleOpened => patient_notices::Column::ModuleOpened,
        PatientNotice::QuestionnaireDue => patient_notices::Column::QuestionnaireDue,
        PatientNotice::ProgramWaiting => patient_notices::Column::ProgramWaiting,
    };
    let row = patient_notices::ActiveModel {
        enrollment_id: Set(enrollment_id.to_string()),
        new_message: Set(notice == PatientNotice::NewMessage),
        module_opened: Set(notice == PatientNotice::ModuleOpened),
        questionnaire_due: Set(notice == PatientNotice::QuestionnaireDue),
        program_waiting: Set(notice == PatientNotice::ProgramWaiting),
        pending_since: Set(Some(now)),
        last_sent_at: Set(None),
        lease_owner: Set(None),
        lease_until: Set(None),
    };
    let conflict = OnConflict::column(patient_notices::Column::EnrollmentId)
        .value(flag, Expr::value(true))
        .value(
            patient_notices::Column::PendingSince,
            Expr::cust("COALESCE(patient_notices.pending_since, excluded.pending_since)"),
        )
        .to_owned();
    patient_notices::Entity::insert(row).on_conflict(conflict).exec_without_returning(db).await?;
    Ok(())
}

/// Sends every flagged notice whose patient has had none for a day.
pub async fn send_due_notices(state: &AppState, worker: &str, now: DateTime<Utc>) -> AppResult<usize> {
    let rested = Condition::any()
        .add(patient_notices::Column::LastSentAt.is_null())
        .add(patient_notices::Column::LastSentAt.lte(now - Duration::days(1)));
    let free = Condition::any()
        .add(patient_notices::Column::LeaseUntil.is_null())
        .add(patient_notices::Column::LeaseUntil.lt(now));
    let due = patient_notices::Entity::find()
        .filter(patient_notices::Column::PendingSince.is_not_null())
        .filter(rested.clone())
        .filter(free.clone())
        .all(&state.db)
        .await?;
    let mut sent = 0;
    for notice in due {
        // Claim first: only one worker wins each notice.
        let won = patient_notices::Entity::update_many()
            .col_expr(patient_notices::Column::LeaseOwner, Expr::value(worker))
            .col_expr(patient_notices::Column::LeaseUntil, Expr::value(now + Duration::minutes(2)))
            .filter(patient_notices::Column::EnrollmentId.eq(&notice.enrollment_id))
            .filter(patient_notices::Column::PendingSince.is_not_null())
            .filter(rested.clone())
            .filter(free.clone())
            .exec(&state.db)
            .await?;
        if won.rows_affected == 1 && send_one(state, worker, &notice, now).await? {
            sent += 1;
        }
    }
    Ok(sent)
}

/// Queues the e-mail and clears the flags in one transaction; a patient who
/// has not activated their account or left treatment gets none.
async fn send_one(
    state: &AppState,
    worker: &str,
    notice: &patient_notices::Model,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let txn = sea_orm::TransactionTrait::begin(&state.db).await?;
    let enrollment = enrollments::Entity::find_by_id(notice.enrollment_id.clone()).one(&txn).await?;
    let patient = match &enrollment {
        Some(e) if e.activated_at.is_some() && e.status == EnrollmentStatus::Active => {
            users::Entity::find_by_id(e.patient_id.clone()).one(&txn).await?.filter(|u| u.active)
        }
        _ => None,
    };
    let cleared = patient_notices::Entity::update_many()
        .col_expr(patient_notices::Column::NewMessage, Expr::value(false))
        .col_expr(patient_notices::Column::ModuleOpened, Expr::value(false))
        .col_expr(patient_notices::Column::QuestionnaireDue, Expr::value(false))
        .col_expr(patient_notices::Column::ProgramWaiting, Expr::value(false))
        .col_expr(patient_notices::Column::PendingSince, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(patient_notices::Column::LeaseOwner, Expr::value(Option::<String>::None))
        .col_expr(patient_notices::Column::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None));
    let cleared = match &patient {
        Some(_) => cleared.col_expr(patient_notices::Column::LastSentAt, Expr::value(now)),
        None => cleared,
    };
    let result = cleared
        .filter(patient_notices::Column::EnrollmentId.eq(&notice.enrollment_id))
        .filter(patient_notices::Column::LeaseOwner.eq(worker))
        .exec(&txn)
        .await?;
    let Some(patient) = patient.filter(|_| result.rows_affected == 1) else {
        txn.commit().await?;
        return Ok(false);
    };
    let lang = Lang::from_code(&patient.locale).unwrap_or_default();
    let mut context = Context::new();
    context.insert("name", &patient.name);
    context.insert("new_message", &notice.new_message);
    context.insert("module_opened", &notice.module_opened);
    context.insert("questionnaire_due", &notice.questionnaire_due);
    context.insert("program_waiting", &notice.program_waiting);
    context.insert("url", &format!("{}/login", state.settings.server.public_url));
    let email = Email {
        kind: crate::entities::states::MailKind::PatientNotice,
        to: patient.email,
        subject: state.views.text(lang, "notice-subject"),
        body: state.views.render_text("mail/patient_notice.txt", lang, context)?,
    };
    mail::enqueue(&txn, email, &state.settings.server.public_url, now).await?;
    txn.commit().await?;
    Ok(true)
}
