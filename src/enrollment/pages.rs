//! The therapist's enrollment pages: enroll a patient after the intake, send
//! an invitation again, change status or feedback cadence.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;

use super::{access, service};
use crate::routing::{Access, Routes};
use crate::web::{confirmed, finish, Notice};
use crate::{
    auth::Principal,
    error::{AppResult, FieldErrors},
    state::AppState,
    web::{page, AppForm, ClientInfo, CsrfToken},
};

pub fn routes() -> Routes {
    Routes::new()
        .page(Access::THERAPIST, "/patients/new", get(new_page).post(create))
        .page(Access::THERAPIST, "/patients/{id}/reinvite", post(reinvite))
        .page(Access::THERAPIST, "/patients/{id}/status", post(status))
        .page(Access::THERAPIST, "/patients/{id}/cadence", post(cadence))
}

#[derive(Deserialize, Default, serde::Serialize)]
struct EnrollForm {
    email: String,
    name: Option<String>,
    case_code: String,
    program: String,
    feedback_cadence: String,
    feedback_weekday: String,
    auto_unlock: Option<String>,
}

async fn new_page(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
) -> AppResult<Response> {
    render(&state, &csrf, &principal, &EnrollForm::default(), None, None).await
}

async fn render(
    state: &AppState,
    csrf: &CsrfToken,
    principal: &Principal,
    form: &EnrollForm,
    errors: Option<FieldErrors>,
    invitation: Option<(String, String)>,
) -> AppResult<Response> {
    let programs: Vec<(String, String)> =
        state.content.programs().map(|p| (p.id.clone(), p.title.clone())).collect();
    let mut context = page::context(Some(principal), csrf);
    context.insert("form", form);
    context.insert("programs", &programs);
    context.insert("weekdays", &super::schedule::WEEKDAYS);
    context.insert("invitation", &invitation);
    let status = if errors.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    context.insert("errors", &errors);
    Ok((status, state.views.render("therapist/enroll.html", principal.lang(), context)?).into_response())
}

async fn create(
    State(state): State<AppState>,
    csrf: CsrfToken,
    client: ClientInfo,
    principal: Principal,
    AppForm(form): AppForm<EnrollForm>,
) -> AppResult<Response> {
    let new = service::NewEnrollment {
        email: form.email.clone(),
        case_code: form.case_code.clone(),
        program: form.program.clone(),
        feedback_cadence: form.feedback_cadence.clone(),
        feedback_weekday: form.feedback_weekday.clone(),
        name: form.name.clone().filter(|n| !n.trim().is_empty()),
        auto_unlock: Some(form.auto_unlock.as_deref() == Some("on")),
    };
    let enrolled = service::enroll(&state, &principal, new, &client).await;
    // The invitation link is shown once, on this page, for the therapist to
    // pass on; the form is emptied for the next patient.
    let empty = EnrollForm::default();
    let show_link = |(enrollment, url): (crate::entities::enrollments::Model, String)| {
        render(&state, &csrf, &principal, &empty, None, Some((enrollment.id, url)))
    };
    finish(enrolled, show_link, |errors| render(&state, &csrf, &principal, &form, Some(errors), None)).await
}

async fn reinvite(
    State(state): State<AppState>,
    client: ClientInfo,
    principal: Principal,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let enrollment = access::record_for_staff(&state, &principal, &id, "patient.viewed", &client).await?;
    service::reinvite(&state, &principal, &enrollment, &client).await?;
    Ok(confirmed(&format!("/patients/{id}"), Notice::InvitationSent))
}

#[derive(Deserialize)]
struct StatusForm {
    status: String,
    #[serde(default)]
    reason: String,
}

async fn status(
    State(state): State<AppState>,
    client: ClientInfo,
    principal: Principal,
    Path(id): Path<String>,
    AppForm(form): AppForm<StatusForm>,
) -> AppResult<Response> {
    let enrollment = access::record_for_staff(&state, &principal, &id, "patient.viewed", &client).await?;
    service::change_status(&state, &principal, &enrollment, &form.status, &form.reason, &client).await?;
    Ok(confirmed(&format!("/patients/{id}"), Notice::StatusChanged))
}

#[derive(Deserialize)]
struct CadenceForm {
    feedback_cadence: String,
    feedback_weekday: String,
}

async fn cadence(
    State(state): State<AppState>,
    client: ClientInfo,
    principal: Principal,
    Path(id): Path<String>,
    AppForm(form): AppForm<CadenceForm>,
) -> AppResult<Response> {
    let enrollment = access::record_for_staff(&state, &principal, &id, "patient.viewed", &client).await?;
    service::change_cadence(
        &state,
        &principal,
        &enrollment,
        &form.feedback_cadence,
        &form.feedback_weekday,
        &client,
    )
    .await?;
    Ok(confirmed(&format!("/patients/{id}"), Notice::CadenceChanged))
}
