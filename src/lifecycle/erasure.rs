//! Erasing a patient: every clinical row and the account go, in one
//! transaction; usage events stay, since they hold only the pseudonym, so
//! the clinic's figures do not change. The erasure itself is audited.

use chrono::{DateTime, Months, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, TransactionTrait,
};
use serde::Serialize;

use crate::{
    accounts::{service::normalize_email, Role},
    audit::{self, AuditEntry},
    auth::Principal,
    entities::{
        api_tokens, care_flags, clinics, contacts, diary_entries, diary_reminders, digests, enrollments,
        item_states, kept_forms, mail_outbox, messages, module_states, notifications, one_time_tokens,
        patient_notices, questionnaire_responses, recovery_codes, sessions, submissions, users,
    },
    error::{AppError, AppResult},
    state::AppState,
    web::ClientInfo,
};

/// What an erasure removed; the pseudonyms still name the patient's usage events.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Erasure {
    pub patient_id: String,
    pub enrollments: usize,
    pub pseudonyms: Vec<String>,
}

/// An administrator erases the patient with this e-mail address, who must be
/// enrolled in `clinic_id`.
pub async fn erase_patient(
    state: &AppState,
    admin: &Principal,
    clinic_id: &str,
    email: &str,
    client: &ClientInfo,
) -> AppResult<Erasure> {
    admin.require(&[Role::Admin])?;
    let clinic = clinics::Entity::find_by_id(clinic_id.to_string()).one(&state.db).await?;
    let clinic = clinic.ok_or(AppError::NotFound)?;
    let not_here =
        || AppError::field("email", "No patient with this e-mail address is enrolled in this clinic.");
    let patient = users::Entity::find()
        .filter(users::Column::Email.eq(normalize_email(email)))
        .filter(users::Column::Role.eq(Role::Patient))
        .one(&state.db)
        .await?
        .ok_or_else(not_here)?;
    let in_clinic = enrollments::Entity::find()
        .filter(enrollments::Column::PatientId.eq(&patient.id))
        .filter(enrollments::Column::ClinicId.eq(&clinic.id))
        .one(&state.db)
        .await?;
    if in_clinic.is_none() {
        return Err(not_here());
    }
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let erasure = erase_records(&txn, &patient).await?;
    let entry = admin.audit("patient.erased").clinic(Some(&clinic.id));
    audit::record(&txn, described(entry, &erasure), client, now).await?;
    txn.commit().await?;
    tracing::info!(enrollments = erasure.enrollments, "patient erased by an administrator");
    Ok(erasure)
}

/// Erases every patient whose treatments in a clinic with a retention
/// setting all ended longer ago than that setting; returns how many.
pub async fn erase_expired(db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<usize> {
    let clinics =
        clinics::Entity::find().filter(clinics::Column::RetentionMonths.is_not_null()).all(db).await?;
    let mut erased = 0;
    for clinic in clinics {
        let Some(months) = clinic.retention_months.and_then(|m| u32::try_from(m).ok()) else { continue };
        let Some(cutoff) = now.checked_sub_months(Months::new(months)) else { continue };
        let ended: Vec<String> = enrollments::Entity::find()
            .select_only()
            .column(enrollments::Column::PatientId)
            .distinct()
            .filter(enrollments::Column::ClinicId.eq(&clinic.id))
            .filter(enrollments::Column::EndedAt.lt(cutoff))
            .into_tuple()
            .all(db)
            .await?;
        for patient_id in ended {
            if erase_if_expired(db, &clinic, &patient_id, cutoff, now).await? {
                erased += 1;
            }
        }
    }
    if erased > 0 {
        tracing::info!(erased, "patients erased at the end of their clinic's retention period");
    }
    Ok(erased)
}

/// A patient still in treatment anywhere, or whose last treatment ended
/// after `cutoff`, is kept.
async fn erase_if_expired(
    db: &DatabaseConnection,
    clinic: &clinics::Model,
    patient_id: &str,
    cutoff: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let txn = db.begin().await?;
    let all =
        enrollments::Entity::find().filter(enrollments::Column::PatientId.eq(patient_id)).all(&txn).await?;
    let expired = all.iter().all(|e| e.ended_at.is_some_and(|ended| ended < cutoff));
    let Some(patient) = users::Entity::find_by_id(patient_id.to_string()).one(&txn).await? else {
        return Ok(false);
    };
    if !expired {
        return Ok(false);
    }
    let erasure = erase_records(&txn, &patient).await?;
    let entry = AuditEntry::new("patient.erased")
        .clinic(Some(&clinic.id))
        .detail(format!("retention={}m", clinic.retention_months.unwrap_or_default()));
    let entry = described(entry, &erasure);
    audit::record(&txn, entry, &ClientInfo::default(), now).await?;
    txn.commit().await?;
    Ok(true)
}

fn described(entry: AuditEntry, erasure: &Erasure) -> AuditEntry {
    let note = format!("enrollments={} pseudonyms={}", erasure.enrollments, erasure.pseudonyms.join(","));
    let detail = match &entry.detail {
        Some(before) => format!("{before} {note}"),
        None => note,
    };
    entry.target("patient", &erasure.patient_id).detail(detail)
}

/// Deletes the patient's account and everything written in their treatment.
async fn erase_records(db: &impl ConnectionTrait, patient: &users::Model) -> AppResult<Erasure> {
    let treatments =
        enrollments::Entity::find().filter(enrollments::Column::PatientId.eq(&patient.id)).all(db).await?;
    let ids: Vec<String> = treatments.iter().map(|e| e.id.clone()).collect();
    macro_rules! by_enrollment {
        ($($table:ident),+) => {$(
            $table::Entity::delete_many().filter($table::Column::EnrollmentId.is_in(ids.clone())).exec(db).await?;
        )+};
    }
    by_enrollment!(
        diary_entries,
        diary_reminders,
        submissions,
        questionnaire_responses,
        messages,
        item_states,
        module_states,
        notifications,
        patient_notices,
        contacts,
        care_flags,
        digests
    );
    enrollments::Entity::delete_many().filter(enrollments::Column::Id.is_in(ids)).exec(db).await?;
    macro_rules! by_user {
        ($($table:ident),+) => {$(
            $table::Entity::delete_many().filter($table::Column::UserId.eq(&patient.id)).exec(db).await?;
        )+};
    }
    by_user!(sessions, api_tokens, one_time_tokens, recovery_codes, kept_forms);
    mail_outbox::Entity::delete_many()
        .filter(mail_outbox::Column::ToAddress.eq(&patient.email))
        .exec(db)
        .await?;
    users::Entity::delete_by_id(patient.id.clone()).exec(db).await?;
    Ok(Erasure {
        patient_id: patient.id.clone(),
        enrollments: treatments.len(),
        pseudonyms: treatments.into_iter().map(|e| e.pseudonym).collect(),
    })
}

/// Sets how many months after treatment ends a clinic keeps a record;
/// `None` keeps it until erased by hand.
pub async fn set_retention(
    state: &AppState,
    admin: &Principal,
    clinic_id: &str,
    months: Option<i32>,
    client: &ClientInfo,
) -> AppResult<()> {
    admin.require(&[Role::Admin])?;
    if months.is_some_and(|m| !(1..=MAX_RETENTION_MONTHS).contains(&m)) {
        return Err(AppError::field(
            "retention_months",
            format!(
                "Enter a number of months from 1 to {MAX_RETENTION_MONTHS}, or leave it empty to keep records \
                 until they are erased by hand."
            ),
        ));
    }
    let clinic = clinics::Entity::find_by_id(clinic_id.to_string()).one(&state.db).await?;
    let clinic = clinic.ok_or(AppError::NotFound)?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    clinics::Entity::update_many()
        .col_expr(clinics::Column::RetentionMonths, months.into())
        .filter(clinics::Column::Id.eq(&clinic.id))
        .exec(&txn)
        .await?;
    let detail = months.map_or_else(|| "retention=none".to_string(), |m| format!("retention={m}m"));
    let entry = admin.audit("clinic.retention_changed").target("clinic", &clinic.id).detail(detail);
    audit::record(&txn, entry.clinic(Some(&clinic.id)), client, now).await?;
    txn.commit().await?;
    Ok(())
}

/// A hundred years: beyond any legal keeping period.
pub const MAX_RETENTION_MONTHS: i32 = 1200;
