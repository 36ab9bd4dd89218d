//! The administrator's pages: clinics, their teams and staff.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::{Deserialize, Serialize};

use crate::routing::{Access, Routes};
use crate::web::{confirmed, finish, Notice};
use crate::{
    accounts::{admin, admin::StaffInvite, Role},
    auth::Principal,
    error::{AppError, AppResult, FieldErrors},
    lifecycle::erasure,
    state::AppState,
    web::{page, AppForm, ClientInfo, CsrfToken},
};

pub fn routes() -> Routes {
    Routes::new()
        .page(Access::ADMIN, "/admin", get(clinics_page))
        .page(Access::ADMIN, "/admin/clinics", post(create_clinic))
        .page(Access::ADMIN, "/admin/clinics/{clinic_id}", get(clinic_page))
        .page(Access::ADMIN, "/admin/clinics/{clinic_id}/teams", post(create_team))
        .page(Access::ADMIN, "/admin/clinics/{clinic_id}/totp", post(set_totp_requirement))
        .page(Access::ADMIN, "/admin/clinics/{clinic_id}/staff", post(invite_staff))
        .page(Access::ADMIN, "/admin/clinics/{clinic_id}/retention", post(set_retention))
        .page(Access::ADMIN, "/admin/clinics/{clinic_id}/timezone", post(set_time_zone))
        .page(Access::ADMIN, "/admin/clinics/{clinic_id}/quiet-days", post(set_quiet_days))
        .page(Access::ADMIN, "/admin/clinics/{clinic_id}/erasure", post(erase_patient))
        .page(Access::ADMIN, "/admin/staff/{user_id}/role", post(change_role))
        .page(Access::ADMIN, "/admin/staff/{user_id}/active", post(set_active))
        .page(Access::ADMIN, "/admin/staff/{user_id}/totp-reset", post(reset_totp))
        .page(Access::ADMIN, "/admin/staff/{user_id}/reinvite", post(reinvite))
}

#[derive(Serialize)]
struct ClinicRow {
    id: String,
    name: String,
    require_staff_totp: bool,
    retention_months: Option<i32>,
    quiet_after_days: Option<i32>,
}

async fn clinics_page(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
) -> AppResult<Response> {
    render_clinics(&state, &csrf, &principal, None).await
}

async fn render_clinics(
    state: &AppState,
    csrf: &CsrfToken,
    principal: &Principal,
    errors: Option<FieldErrors>,
) -> AppResult<Response> {
    let clinics: Vec<ClinicRow> = admin::list_clinics(state, principal)
        .await?
        .into_iter()
        .map(|c| ClinicRow {
            id: c.id,
            name: c.name,
            require_staff_totp: c.require_staff_totp,
            retention_months: c.retention_months,
            quiet_after_days: c.quiet_after_days,
        })
        .collect();
    let mut context = page::context(Some(principal), csrf);
    context.insert("clinics", &clinics);
    let status = if errors.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    context.insert("errors", &errors);
    Ok((status, state.views.render("admin/clinics.html", principal.lang(), context)?).into_response())
}

#[derive(Deserialize)]
struct NameForm {
    name: String,
}

async fn create_clinic(
    State(state): State<AppState>,
    csrf: CsrfToken,
    client: ClientInfo,
    principal: Principal,
    AppForm(form): AppForm<NameForm>,
) -> AppResult<Response> {
    let created = admin::create_clinic(&state, &principal, &form.name, &client).await;
    let done = |clinic: crate::entities::clinics::Model| async move {
        Ok(confirmed(&format!("/admin/clinics/{}", clinic.id), Notice::ClinicCreated))
    };
    finish(created, done, |errors| render_clinics(&state, &csrf, &principal, Some(errors))).await
}

#[derive(Serialize)]
struct StaffRow {
    id: String,
    name: String,
    email: String,
    role: String,
    team: Option<String>,
    active: bool,
    invited: bool,
    totp: bool,
}

async fn clinic_page(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
    Path(clinic_id): Path<String>,
) -> AppResult<Response> {
    render_clinic(&state, &csrf, &principal, &clinic_id, None).await
}

async fn render_clinic(
    state: &AppState,
    csrf: &CsrfToken,
    principal: &Principal,
    clinic_id: &str,
    errors: Option<FieldErrors>,
) -> AppResult<Response> {
    let clinic = admin::find_clinic(state, clinic_id).await?;
    let teams = admin::clinic_teams(state, &clinic.id).await?;
    let team_name =
        |id: &Option<String>| teams.iter().find(|t| Some(&t.id) == id.as_ref()).map(|t| t.name.clone());
    let staff: Vec<StaffRow> = admin::clinic_staff(state, principal, &clinic.id)
        .await?
        .into_iter()
        .map(|u| StaffRow {
            team: team_name(&u.team_id),
            invited: u.password_hash.is_none(),
            totp: u.totp_enabled_at.is_some(),
            id: u.id,
            name: u.name,
            email: u.email,
            role: u.role.to_string(),
            active: u.active,
        })
        .collect();
    let teams: Vec<(String, String)> = teams.into_iter().map(|t| (t.id, t.name)).collect();
    let mut context = page::context(Some(principal), csrf);
    context.insert(
        "clinic",
        &ClinicRow {
            id: clinic.id,
            name: clinic.name,
            require_staff_totp: clinic.require_staff_totp,
            retention_months: clinic.retention_months,
            quiet_after_days: clinic.quiet_after_days,
        },
    );
    context.insert("clinic_zone", &clinic.timezone);
    context.insert("deployment_zone", state.settings.care.timezone.name());
    context.insert("zones", &crate::web::local_time::zone_options());
    context.insert("teams", &teams);
    context.insert("staff", &staff);
    context.insert("wide", &true);
    let status = if errors.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    context.insert("errors", &errors);
    Ok((status, state.views.render("admin/clinic.html", principal.lang(), context)?).into_response())
}

/// The end of a form on a clinic's page: back to it confirming `notice`, or
/// the page again with the errors.
async fn finish_on_clinic<T>(
    state: &AppState,
    csrf: &CsrfToken,
    principal: &Principal,
    clinic_id: &str,
    result: AppResult<T>,
    notice: Notice,
) -> AppResult<Response> {
    let again = |e| render_clinic(state, csrf, principal, clinic_id, Some(e));
    finish(result, |_| async move { Ok(back_to(clinic_id, notice)) }, again).await
}

fn back_to(clinic_id: &str, notice: Notice) -> Response {
    confirmed(&format!("/admin/clinics/{clinic_id}"), notice)
}

async fn create_team(
    State(state): State<AppState>,
    csrf: CsrfToken,
    client: ClientInfo,
    principal: Principal,
    Path(clinic_id): Path<String>,
    AppForm(form): AppForm<NameForm>,
) -> AppResult<Response> {
    let created = admin::create_team(&state, &principal, &clinic_id, &form.name, &client).await;
    finish_on_clinic(&state, &csrf, &principal, &clinic_id, created, Notice::TeamCreated).await
}

#[derive(Deserialize)]
struct TotpForm {
    required: Option<String>,
}

async fn set_totp_requirement(
    State(state): State<AppState>,
    client: ClientInfo,
    principal: Principal,
    Path(clinic_id): Path<String>,
    AppForm(form): AppForm<TotpForm>,
) -> AppResult<Response> {
    let required = form.required.as_deref() == Some("on");
    admin::set_requires_totp(&state, &principal, &clinic_id, required, &client).await?;
    Ok(back_to(&clinic_id, Notice::SettingsSaved))
}

#[derive(Deserialize)]
struct QuietDaysForm {
    quiet_after_days: String,
}

async fn set_quiet_days(
    State(state): State<AppState>,
    csrf: CsrfToken,
    client: ClientInfo,
    principal: Principal,
    Path(clinic_id): Path<String>,
    AppForm(form): AppForm<QuietDaysForm>,
) -> AppResult<Response> {
    use crate::care_flags::going_quiet::set_quiet_after;
    let text = form.quiet_after_days.trim();
    let days = match text {
        "" => Ok(None),
        _ => text.parse::<i32>().map(Some).map_err(|_| {
            AppError::field("quiet_after_days", "Enter a whole number of days, or leave it empty for 7.")
        }),
    };
    let result = match days {
        Ok(days) => set_quiet_after(&state, &principal, &clinic_id, days, &client).await,
        Err(e) => Err(e),
    };
    finish_on_clinic(&state, &csrf, &principal, &clinic_id, result, Notice::SettingsSaved).await
}

#[derive(Deserialize)]
struct TimeZoneForm {
    timezone: String,
}

async fn set_time_zone(
    State(state): State<AppState>,
    csrf: CsrfToken,
    client: ClientInfo,
    principal: Principal,
    Path(clinic_id): Path<String>,
    AppForm(form): AppForm<TimeZoneForm>,
) -> AppResult<Response> {
    let result = match crate::accounts::time_zone::parse_choice("timezone", &form.timezone) {
        Ok(zone) => admin::set_clinic_zone(&state, &principal, &clinic_id, zone, &client).await,
        Err(e) => Err(e),
    };
    finish_on_clinic(&state, &csrf, &principal, &clinic_id, result, Notice::SettingsSaved).await
}

#[derive(Deserialize)]
struct RetentionForm {
    retention_months: String,
}

async fn set_retention(
    State(state): State<AppState>,
    csrf: CsrfToken,
    client: ClientInfo,
    principal: Principal,
    Path(clinic_id): Path<String>,
    AppForm(form): AppForm<RetentionForm>,
) -> AppResult<Response> {
    let text = form.retention_months.trim();
    let months = if text.is_empty() {
        Ok(None)
    } else {
        text.parse::<i32>().map(Some).map_err(|_| {
            AppError::field("retention_months", "Enter a whole number of months, or leave it empty.")
        })
    };
    let result = match months {
        Ok(months) => erasure::set_retention(&state, &principal, &clinic_id, months, &client).await,
        Err(e) => Err(e),
    };
    finish_on_clinic(&state, &csrf, &principal, &clinic_id, result, Notice::RetentionSaved).await
}

#[derive(Deserialize)]
struct ErasureForm {
    email: String,
    confirm: Option<String>,
}

async fn erase_patient(
    State(state): State<AppState>,
    csrf: CsrfToken,
    client: ClientInfo,
    principal: Principal,
    Path(clinic_id): Path<String>,
    AppForm(form): AppForm<ErasureForm>,
) -> AppResult<Response> {
    let result = if form.confirm.as_deref() == Some("on") {
        erasure::erase_patient(&state, &principal, &clinic_id, &form.email, &client).await.map(|_| ())
    } else {
        Err(AppError::field("confirm", "Tick the box to confirm that the record is to be erased for good."))
    };
    // The invitation form on the same page has an `email` field too.
    let result = result.map_err(|e| match e {
        AppError::Invalid(mut errors) => {
            if let Some(messages) = errors.remove("email") {
                errors.insert("erase_email".into(), messages);
            }
            AppError::Invalid(errors)
        }
        other => other,
    });
    finish_on_clinic(&state, &csrf, &principal, &clinic_id, result, Notice::PatientErased).await
}

#[derive(Deserialize)]
struct InviteForm {
    email: String,
    name: String,
    role: String,
    team_id: Option<String>,
}

async fn invite_staff(
    State(state): State<AppState>,
    csrf: CsrfToken,
    client: ClientInfo,
    principal: Principal,
    Path(clinic_id): Path<String>,
    AppForm(form): AppForm<InviteForm>,
) -> AppResult<Response> {
    let role = form.role.parse::<Role>().map_err(|_| AppError::field("role", "Choose therapist or manager."));
    let result = match role {
        Ok(role) => {
            let invite = StaffInvite {
                email: &form.email,
                name: &form.name,
                role,
                clinic_id: &clinic_id,
                team_id: form.team_id.as_deref().filter(|t| !t.is_empty()),
            };
            admin::invite_staff(&state, &principal, invite, &client).await.map(|_| ())
        }
        Err(e) => Err(e),
    };
    finish_on_clinic(&state, &csrf, &principal, &clinic_id, result, Notice::StaffInvited).await
}

#[derive(Deserialize)]
struct RoleForm {
    role: String,
    clinic_id: String,
}

async fn change_role(
    State(state): State<AppState>,
    client: ClientInfo,
    principal: Principal,
    Path(user_id): Path<String>,
    AppForm(form): AppForm<RoleForm>,
) -> AppResult<Response> {
    let role =
        form.role.parse::<Role>().map_err(|_| AppError::field("role", "Choose therapist or manager."))?;
    admin::change_role(&state, &principal, &user_id, role, &client).await?;
    Ok(back_to(&form.clinic_id, Notice::RoleChanged))
}

#[derive(Deserialize)]
struct ActiveForm {
    active: String,
    clinic_id: String,
}

async fn set_active(
    State(state): State<AppState>,
    client: ClientInfo,
    principal: Principal,
    Path(user_id): Path<String>,
    AppForm(form): AppForm<ActiveForm>,
) -> AppResult<Response> {
    let active = form.active == "true";
    admin::set_active(&state, &principal, &user_id, active, &client).await?;
    Ok(back_to(&form.clinic_id, if active { Notice::StaffReactivated } else { Notice::StaffDeactivated }))
}

#[derive(Deserialize)]
struct ClinicRef {
    clinic_id: String,
}

async fn reset_totp(
    State(state): State<AppState>,
    client: ClientInfo,
    principal: Principal,
    Path(user_id): Path<String>,
    AppForm(form): AppForm<ClinicRef>,
) -> AppResult<Response> {
    admin::reset_second_factor(&state, &principal, &user_id, &client).await?;
    Ok(back_to(&form.clinic_id, Notice::TotpReset))
}

async fn reinvite(
    State(state): State<AppState>,
    client: ClientInfo,
    principal: Principal,
    Path(user_id): Path<String>,
    AppForm(form): AppForm<ClinicRef>,
) -> AppResult<Response> {
    admin::resend_invitation(&state, &principal, &user_id, &client).await?;
    Ok(back_to(&form.clinic_id, Notice::StaffInvited))
}
