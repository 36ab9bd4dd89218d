//! `GET/PUT /api/v1/me/digest-settings` and the page `/settings/digests`.

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::get,
    Json, Router,
};

use super::settings::{self, DigestSettings};
use crate::{
    accounts::Role,
    app::AppState,
    auth::Principal,
    error::{AppError, AppResult, FieldErrors},
    web::{page, AppForm, AppJson, CsrfToken},
};

pub fn api_routes() -> Router<AppState> {
    Router::new().route("/me/digest-settings", get(get_settings).put(put_settings))
}

pub fn page_routes() -> Router<AppState> {
    Router::new().route("/settings/digests", get(settings_page).post(save_form))
}

/// The therapist's digest settings.
#[utoipa::path(get, path = "/api/v1/me/digest-settings", tag = "therapist", security(("bearer" = [])),
    responses((status = 200, body = DigestSettings), (status = 403, body = crate::error::Problem)))]
pub async fn get_settings(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<DigestSettings>> {
    principal.require(&[Role::Therapist])?;
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
    principal.require(&[Role::Therapist])?;
    settings::save(&state.db, principal.id(), &body, state.clock.now()).await?;
    Ok(Json(settings::load(&state.db, principal.id()).await?))
}

async fn settings_page(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
) -> AppResult<Response> {
    principal.require(&[Role::Therapist])?;
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
    context.insert("weekdays", &crate::enrollment::service::WEEKDAYS);
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
    principal.require(&[Role::Therapist])?;
    match settings::save(&state.db, principal.id(), &form, state.clock.now()).await {
        Ok(()) => Ok(Redirect::to("/settings/digests?saved=1").into_response()),
        Err(AppError::Invalid(errors)) => render(&state, &csrf, &principal, &form, Some(errors), false),
        Err(other) => Err(other),
    }
}
