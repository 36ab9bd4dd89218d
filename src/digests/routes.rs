//! The therapist's digest settings (`/api/v1/me/digest-settings`,
//! `/settings/digests`) and notification centre (`/api/v1/me/notifications`,
//! `/notifications`); the patient's diary reminder
//! (`/api/v1/me/diary-reminder`, `/settings/reminders`).

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::get,
    Json,
};

use super::{
    centre::{self, NotificationCentre},
    reminders::{self, ReminderSettings},
    settings::{self, DigestSettings},
};
use crate::routing::{Access, Routes};
use crate::web::{confirmed, finish, Notice};
use crate::{
    auth::Principal,
    error::{AppResult, FieldErrors},
    state::AppState,
    web::{page, AppForm, AppJson, CsrfToken},
};
use utoipa_axum::routes;

pub fn routes() -> Routes {
    Routes::new()
        .api(Access::THERAPIST, routes!(get_settings, put_settings))
        .api(Access::THERAPIST, routes!(get_centre))
        .api(Access::PATIENT, routes!(get_reminder, put_reminder))
        .page(Access::THERAPIST, "/settings/digests", get(settings_page).post(save_form))
        .page(Access::THERAPIST, "/notifications", get(centre_page))
        .page(Access::PATIENT, "/settings/reminders", get(reminder_page).post(save_reminder_form))
}

/// The therapist's digest settings.
#[utoipa::path(get, path = "/api/v1/me/digest-settings", tag = "therapist", security(("bearer" = [])),
    responses((status = 200, body = DigestSettings), (status = 403, body = crate::error::Problem)))]
pub async fn get_settings(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<DigestSettings>> {
    Ok(Json(settings::load(&state.db, principal.id()).await?))
}

/// Change the digest settings.
#[utoipa::path(put, path = "/api/v1/me/digest-settings", tag = "therapist", security(("bearer" = [])),
    request_body = DigestSettings,
    responses((status = 200, body = DigestSettings), (status = 422, body = crate::error::Problem)))]
pub async fn put_settings(
    State(state): State<AppState>,
    principal: Principal,
    AppJson(body): AppJson<DigestSettings>,
) -> AppResult<Json<DigestSettings>> {
    settings::save(&state.db, principal.id(), &body, state.clock.now()).await?;
    Ok(Json(settings::load(&state.db, principal.id()).await?))
}

async fn settings_page(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
) -> AppResult<Response> {
    let current = settings::load(&state.db, principal.id()).await?;
    render(&state, &csrf, &principal, &current, None, false)
}

fn render(
    state: &AppState,
    csrf: &CsrfToken,
    principal: &Principal,
    current: &DigestSettings,
    errors: Option<FieldErrors>,
    saved: bool,
) -> AppResult<Response> {
    let mut context = page::context(Some(principal), csrf);
    context.insert("s", current);
    context.insert("saved", &saved);
    context.insert("weekdays", &crate::enrollment::schedule::WEEKDAYS);
    context.insert("zones", &crate::web::local_time::zone_options());
    let status = if errors.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    context.insert("errors", &errors);
    Ok((status, state.views.render("therapist/digest_settings.html", principal.lang(), context)?)
        .into_response())
}

async fn save_form(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
    AppForm(form): AppForm<DigestSettings>,
) -> AppResult<Response> {
    let saved = settings::save(&state.db, principal.id(), &form, state.clock.now()).await;
    let done = |()| async { Ok(confirmed("/settings/digests", Notice::DigestSettingsSaved)) };
    finish(saved, done, |errors| async { render(&state, &csrf, &principal, &form, Some(errors), false) })
        .await
}

/// The therapist's notification centre.
#[utoipa::path(get, path = "/api/v1/me/notifications", tag = "therapist", security(("bearer" = [])),
    responses((status = 200, body = NotificationCentre), (status = 403, body = crate::error::Problem)))]
pub async fn get_centre(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<NotificationCentre>> {
    Ok(Json(centre::centre(&state.db, &state.content, principal.id(), state.clock.now()).await?))
}

async fn centre_page(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
) -> AppResult<Response> {
    let centre = centre::centre(&state.db, &state.content, principal.id(), state.clock.now()).await?;
    let mut context = page::context(Some(&principal), &csrf);
    context.insert("centre", &centre);
    Ok(state.views.render("therapist/notifications.html", principal.lang(), context)?.into_response())
}

/// The patient's diary reminder.
#[utoipa::path(get, path = "/api/v1/me/diary-reminder", tag = "patient", security(("bearer" = [])),
    responses((status = 200, body = ReminderSettings), (status = 404, body = crate::error::Problem)))]
pub async fn get_reminder(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<ReminderSettings>> {
    let enrollment = crate::enrollment::access::own_enrollment(&state, &principal).await?;
    Ok(Json(reminders::load(&state.db, &enrollment.id).await?))
}

/// Turn the diary reminder on or off, or move it.
#[utoipa::path(put, path = "/api/v1/me/diary-reminder", tag = "patient", security(("bearer" = [])),
    request_body = ReminderSettings,
    responses((status = 200, body = ReminderSettings), (status = 422, body = crate::error::Problem)))]
pub async fn put_reminder(
    State(state): State<AppState>,
    principal: Principal,
    AppJson(body): AppJson<ReminderSettings>,
) -> AppResult<Json<ReminderSettings>> {
    let enrollment = crate::enrollment::access::own_enrollment(&state, &principal).await?;
    reminders::save(&state.db, &enrollment.id, &body, state.clock.now()).await?;
    Ok(Json(reminders::load(&state.db, &enrollment.id).await?))
}

#[derive(serde::Deserialize)]
struct ReminderForm {
    enabled: Option<String>,
    local_time: String,
}

async fn reminder_page(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
) -> AppResult<Response> {
    let enrollment = crate::enrollment::access::own_enrollment(&state, &principal).await?;
    let current = reminders::load(&state.db, &enrollment.id).await?;
    render_reminder(&state, &csrf, &principal, &current, None)
}

fn render_reminder(
    state: &AppState,
    csrf: &CsrfToken,
    principal: &Principal,
    current: &ReminderSettings,
    errors: Option<FieldErrors>,
) -> AppResult<Response> {
    let mut context = page::context(Some(principal), csrf);
    context.insert("r", current);
    context.insert("max_unanswered", &reminders::MAX_UNANSWERED);
    let status = if errors.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    context.insert("errors", &errors);
    Ok((status, state.views.render("patient/reminders.html", principal.lang(), context)?).into_response())
}

async fn save_reminder_form(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
    AppForm(form): AppForm<ReminderForm>,
) -> AppResult<Response> {
    let enrollment = crate::enrollment::access::own_enrollment(&state, &principal).await?;
    let wanted = ReminderSettings { enabled: form.enabled.is_some(), local_time: form.local_time };
    let saved = reminders::save(&state.db, &enrollment.id, &wanted, state.clock.now()).await;
    let done = |()| async { Ok(confirmed("/settings/reminders", Notice::ReminderSaved)) };
    finish(saved, done, |errors| async { render_reminder(&state, &csrf, &principal, &wanted, Some(errors)) })
        .await
}
