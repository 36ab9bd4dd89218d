//! Who may see which patient record. A patient sees only their own; a
//! therapist only the patients they treat; managers and administrators never
//! see a record; a colleague covering for the therapist sees theirs for the
//! agreed days. Anything else is 404, so no one learns that a record exists.
//! Every staff read or change is audited here.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::{
    accounts::Role,
    audit,
    auth::Principal,
    entities::enrollments,
    error::{AppError, AppResult},
    state::AppState,
    web::ClientInfo,
};

/// The logged-in patient's own enrollment; 404 for everyone else.
pub async fn own_enrollment(state: &AppState, principal: &Principal) -> AppResult<enrollments::Model> {
    if principal.role != Role::Patient {
        return Err(AppError::NotFound);
    }
    enrollments::Entity::find()
        .filter(enrollments::Column::PatientId.eq(principal.id()))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)
}

/// A patient record a staff member may open, audited as `action`
/// (e.g. `patient.viewed`). 404 unless the principal treats this patient.
pub async fn record_for_staff(
    state: &AppState,
    principal: &Principal,
    enrollment_id: &str,
    action: &'static str,
    client: &ClientInfo,
) -> AppResult<enrollments::Model> {
    let found = enrollments::Entity::find_by_id(enrollment_id.to_string()).one(&state.db).await?;
    let enrollment = match found {
        Some(e) if may_treat(principal, &e) || covers(state, principal, &e).await? => e,
        _ => return Err(AppError::NotFound),
    };
    let entry = principal.audit(action).target("patient", &enrollment.id);
    audit::record(&state.db, entry, client, state.clock.now()).await?;
    Ok(enrollment)
}

/// Whether `principal` covers for this patient's therapist today.
async fn covers(state: &AppState, principal: &Principal, enrollment: &enrollments::Model) -> AppResult<bool> {
    if principal.role != Role::Therapist || principal.clinic_id() != Some(enrollment.clinic_id.as_str()) {
        return Ok(false);
    }
    let today = crate::diaries::service::today(state);
    let absent = super::cover::covering_for(&state.db, principal.id(), today).await?;
    Ok(absent.contains(&enrollment.therapist_id))
}

/// Whether `principal` is this patient's therapist.
pub fn may_treat(principal: &Principal, enrollment: &enrollments::Model) -> bool {
    principal.role == Role::Therapist
        && enrollment.therapist_id == principal.id()
        && principal.clinic_id() == Some(enrollment.clinic_id.as_str())
}
