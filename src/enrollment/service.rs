//! Enrolling a patient and activating the enrollment when they accept.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait};
use serde::Deserialize;

use super::schedule::weekday_number;
use crate::entities::enums::{Cadence, EnrollmentStatus};
use crate::entities::states::ModuleState;
use crate::{
    accounts::{
        admin::send_invitation,
        service::{self as accounts, NewUser},
        Role,
    },
    audit,
    auth::Principal,
    entities::{clinics, enrollments, module_states},
    error::{AppError, AppResult, FieldErrors},
    ids,
    state::AppState,
    usage::{self, UsageEvent},
    web::ClientInfo,
};

/// What the therapist fills in after the intake.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
pub struct NewEnrollment {
    pub email: String,
    pub case_code: String,
    pub program: String,
    pub feedback_cadence: String,
    pub feedback_weekday: String,
    /// How the patient is greeted; optional.
    #[serde(default)]
    pub name: Option<String>,
    /// Open the next module when the patient completes one (default on).
    #[serde(default)]
    pub auto_unlock: Option<bool>,
}

/// Lower-case enrollment statuses.
fn check(state: &AppState, new: &NewEnrollment) -> Result<(Cadence, i32), FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut add =
        |field: &str, message: &str| errors.entry(field.into()).or_default().push(message.to_string());
    if let Err(m) = accounts::check_email(&accounts::normalize_email(&new.email)) {
        add("email", &m);
    }
    let code = new.case_code.trim();
    let code_ok = !code.is_empty()
        && code.len() <= 64
        && code.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !code_ok {
        add("case_code", "Use 1 to 64 letters, digits, '-', '_' or '.'; no names.");
    }
    if state.content.program(&new.program).is_none() {
        let known: Vec<&str> = state.content.programs().map(|p| p.id.as_str()).collect();
        add("program", &format!("Choose one of: {}.", known.join(", ")));
    }
    let cadence = Cadence::parse(&new.feedback_cadence);
    if cadence.is_none() {
        add("feedback_cadence", "Choose weekly or fortnightly.");
    }
    let weekday = weekday_number(&new.feedback_weekday);
    if weekday.is_none() {
        add("feedback_weekday", "Choose a weekday: mon, tue, wed, thu, fri, sat or sun.");
    }
    match (cadence, weekday) {
        (Some(c), Some(w)) if errors.is_empty() => Ok((c, w)),
        _ => Err(errors),
    }
}

/// Creates the patient's account, the enrollment with its first module open,
/// and the invitation mail, in one transaction. Returns it with the link.
pub async fn enroll(
    state: &AppState,
    therapist: &Principal,
    new: NewEnrollment,
    client: &ClientInfo,
) -> AppResult<(enrollments::Model, String)> {
    therapist.require(&[Role::Therapist])?;
    let clinic_id = therapist.clinic_id().ok_or(AppError::Forbidden)?.to_string();
    let (cadence, weekday) = check(state, &new).map_err(AppError::Invalid)?;
    let case_code = new.case_code.trim().to_string();
    refuse_duplicate_case_code(&state.db, &clinic_id, &case_code).await?;
    let program = state.content.program(&new.program).ok_or(AppError::NotFound)?;
    let clinic =
        clinics::Entity::find_by_id(clinic_id.clone()).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let name = new.name.as_deref().map(str::trim).unwrap_or_default();
    let patient = accounts::create_user(
        &txn,
        NewUser {
            email: &new.email,
            name,
            role: Role::Patient,
            clinic_id: Some(&clinic_id),
            team_id: therapist.user.team_id.as_deref(),
            password_hash: None,
        },
        now,
    )
    .await?;
    let enrollment = enrollments::ActiveModel {
        id: Set(ids::new_id()),
        clinic_id: Set(clinic_id.clone()),
        team_id: Set(therapist.user.team_id.clone()),
        patient_id: Set(patient.id.clone()),
        therapist_id: Set(therapist.id().to_string()),
        program_id: Set(program.id.clone()),
        case_code: Set(case_code),
        pseudonym: Set(ids::new_secret()[..16].to_string()),
        feedback_cadence: Set(cadence),
        feedback_weekday: Set(weekday),
        auto_unlock: Set(new.auto_unlock.unwrap_or(true)),
        status: Set(EnrollmentStatus::Invited),
        status_reason: Set(None),
        enrolled_at: Set(now),
        activated_at: Set(None),
        last_feedback_at: Set(None),
        feedback_due_for: Set(None),
        feedback_on_time_for: Set(None),
        quiet_notices: Set(0),
        quiet_notice_at: Set(None),
        last_active_at: Set(None),
        ended_at: Set(None),
    };
    let enrollment = enrollments::Entity::insert(enrollment).exec_with_returning(&txn).await?;
    open_first_module(&txn, &enrollment.id, program, now).await?;
    let url = send_invitation(state, &txn, &patient, &clinic.name, Some(therapist.id())).await?;
    audit::record(&txn, therapist.audit("patient.enrolled").target("patient", &enrollment.id), client, now)
        .await?;
    usage::record(&txn, &enrollment, Role::Therapist, UsageEvent::new("patient.enrolled"), now).await?;
    txn.commit().await?;
    Ok((enrollment, url))
}

/// A case code names one patient within a clinic.
async fn refuse_duplicate_case_code(
    db: &impl ConnectionTrait,
    clinic_id: &str,
    case_code: &str,
) -> AppResult<()> {
    let duplicate = enrollments::Entity::find()
        .filter(enrollments::Column::ClinicId.eq(clinic_id))
        .filter(enrollments::Column::CaseCode.eq(case_code))
        .one(db)
        .await?;
    match duplicate {
        Some(_) => Err(AppError::field("case_code", "This case code is in use in your clinic already.")),
        None => Ok(()),
    }
}

/// Every module of the program gets its state: the first open, the rest locked.
async fn open_first_module(
    db: &impl ConnectionTrait,
    enrollment_id: &str,
    program: &crate::content::Program,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    let states = program.modules.iter().enumerate().map(|(n, module)| module_states::ActiveModel {
        enrollment_id: Set(enrollment_id.to_string()),
        module_id: Set(module.id.clone()),
        state: Set(if n == 0 { ModuleState::Open } else { ModuleState::Locked }),
        opened_at: Set((n == 0).then_some(now)),
        completed_at: Set(None),
    });
    module_states::Entity::insert_many(states).exec_without_returning(db).await?;
    Ok(())
}

/// Called when a patient sets their first password: the treatment starts.
pub async fn activate(db: &impl ConnectionTrait, patient_id: &str, now: DateTime<Utc>) -> AppResult<()> {
    let Some(enrollment) =
        enrollments::Entity::find().filter(enrollments::Column::PatientId.eq(patient_id)).one(db).await?
    else {
        return Ok(());
    };
    if enrollment.activated_at.is_some() {
        return Ok(());
    }
    enrollments::Entity::update_many()
        .col_expr(enrollments::Column::ActivatedAt, Some(now).into())
        .col_expr(enrollments::Column::Status, EnrollmentStatus::Active.into())
        .filter(enrollments::Column::Id.eq(&enrollment.id))
        .exec(db)
        .await?;
    usage::record(db, &enrollment, Role::Patient, UsageEvent::new("patient.activated"), now).await
}

/// The patient did something: remember when, for the caseload's inactivity.
pub async fn touch(db: &impl ConnectionTrait, enrollment_id: &str, now: DateTime<Utc>) -> AppResult<()> {
    enrollments::Entity::update_many()
        .col_expr(enrollments::Column::LastActiveAt, Some(now).into())
        .filter(enrollments::Column::Id.eq(enrollment_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Changes the treatment status; ending statuses need a reason for the record.
pub async fn change_status(
    state: &AppState,
    therapist: &Principal,
    enrollment: &enrollments::Model,
    status: &str,
    reason: &str,
    client: &ClientInfo,
) -> AppResult<()> {
    let chosen = EnrollmentStatus::parse(status).filter(|s| EnrollmentStatus::CHOSEN.contains(s));
    let Some(status) = chosen else {
        return Err(AppError::field(
            "status",
            "Choose active, paused, completed, dropped out or stepped up.",
        ));
    };
    let reason = reason.trim();
    if matches!(status, EnrollmentStatus::DroppedOut | EnrollmentStatus::SteppedUp) && reason.is_empty() {
        return Err(AppError::field("reason", "Say briefly why, for the record."));
    }
    if enrollment.activated_at.is_none() {
        return Err(AppError::field("status", "The patient has not accepted the invitation yet."));
    }
    let now = state.clock.now();
    let ended = status.has_ended().then_some(now);
    let txn = state.db.begin().await?;
    enrollments::Entity::update_many()
        .col_expr(enrollments::Column::Status, status.into())
        .col_expr(enrollments::Column::StatusReason, (!reason.is_empty()).then(|| reason.to_string()).into())
        .col_expr(enrollments::Column::EndedAt, ended.into())
        .filter(enrollments::Column::Id.eq(&enrollment.id))
        .exec(&txn)
        .await?;
    // When in the treatment it ended, for the drop-out figures.
    let progress = crate::progress::service::Progress::load(&txn, &enrollment.id).await?;
    let program = crate::progress::service::program_of(&state.content, enrollment)?;
    let kind = format!("status.{}", status.as_str());
    // Weeks to the last activity: when the patient went quiet, the same
    // measure the caseload uses, not the day the therapist noticed.
    let started = enrollment.activated_at.unwrap_or(enrollment.enrolled_at);
    let last = enrollment.last_active_at.unwrap_or(now).max(started);
    let mut event = UsageEvent::new(&kind).value((last - started).num_weeks() as f64);
    if let Some(module) = progress.reached_module(program) {
        event = event.module(module);
    }
    usage::record(&txn, enrollment, Role::Therapist, event, now).await?;
    let entry =
        therapist.audit("patient.status_changed").target("patient", &enrollment.id).detail(status.as_str());
    audit::record(&txn, entry, client, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Changes how often, and on which weekday, feedback is due.
pub async fn change_cadence(
    state: &AppState,
    therapist: &Principal,
    enrollment: &enrollments::Model,
    cadence: &str,
    weekday: &str,
    client: &ClientInfo,
) -> AppResult<()> {
    let mut errors = FieldErrors::new();
    let cadence_ok = Cadence::parse(cadence);
    let weekday_ok = weekday_number(weekday);
    if cadence_ok.is_none() {
        errors.insert("feedback_cadence".into(), vec!["Choose weekly or fortnightly.".into()]);
    }
    if weekday_ok.is_none() {
        errors.insert("feedback_weekday".into(), vec!["Choose a weekday.".into()]);
    }
    let (Some(cadence), Some(weekday)) = (cadence_ok, weekday_ok) else {
        return Err(AppError::Invalid(errors));
    };
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    enrollments::Entity::update_many()
        .col_expr(enrollments::Column::FeedbackCadence, cadence.as_str().into())
        .col_expr(enrollments::Column::FeedbackWeekday, weekday.into())
        .filter(enrollments::Column::Id.eq(&enrollment.id))
        .exec(&txn)
        .await?;
    let entry = therapist.audit("patient.cadence_changed").target("patient", &enrollment.id);
    audit::record(&txn, entry, client, now).await?;
    txn.commit().await?;
    Ok(())
}

/// A fresh invitation for a patient who has not started yet.
pub async fn reinvite(
    state: &AppState,
    therapist: &Principal,
    enrollment: &enrollments::Model,
    client: &ClientInfo,
) -> AppResult<String> {
    if enrollment.activated_at.is_some() {
        return Err(AppError::Conflict("the patient has accepted the invitation already".into()));
    }
    let patient = crate::entities::users::Entity::find_by_id(enrollment.patient_id.clone())
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let clinic = clinics::Entity::find_by_id(enrollment.clinic_id.clone())
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let url = send_invitation(state, &txn, &patient, &clinic.name, Some(therapist.id())).await?;
    audit::record(&txn, therapist.audit("patient.reinvited").target("patient", &enrollment.id), client, now)
        .await?;
    txn.commit().await?;
    Ok(url)
}

/// Whether finishing a module opens the next one by itself.
pub async fn set_auto_unlock(
    state: &AppState,
    therapist: &Principal,
    enrollment: &enrollments::Model,
    on: bool,
    client: &ClientInfo,
) -> AppResult<()> {
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    enrollments::Entity::update_many()
        .col_expr(enrollments::Column::AutoUnlock, on.into())
        .filter(enrollments::Column::Id.eq(&enrollment.id))
        .exec(&txn)
        .await?;
    let entry = therapist
        .audit("patient.auto_unlock_changed")
        .target("patient", &enrollment.id)
        .detail(format!("on={on}"));
    audit::record(&txn, entry, client, now).await?;
    txn.commit().await?;
    Ok(())
}
