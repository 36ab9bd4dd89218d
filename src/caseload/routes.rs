//! `GET /api/v1/caseload` and the caseload page `/caseload`.

use axum::{extract::State, response::Html, routing::get, Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

use super::service::{self, CaseloadRow};
use crate::{
    accounts::Role,
    app::AppState,
    auth::Principal,
    error::AppResult,
    web::{page, CsrfToken},
};

pub fn api_routes() -> Router<AppState> {
    Router::new().route("/caseload", get(caseload))
}

pub fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/caseload", get(caseload_page))
        .merge(super::record::routes())
        .merge(super::snippets::routes())
        .merge(super::cover_page::routes())
}

#[derive(Serialize, ToSchema)]
pub struct Caseload {
    patients: Vec<CaseloadRow>,
}

/// The therapist's patients, most in need of attention first. Counts are
/// "since the last feedback message to that patient".
#[utoipa::path(get, path = "/api/v1/caseload", tag = "therapist", security(("bearer" = [])),
    responses((status = 200, body = Caseload), (status = 403, body = crate::error::Problem)))]
pub async fn caseload(State(state): State<AppState>, principal: Principal) -> AppResult<Json<Caseload>> {
    principal.require(&[Role::Therapist])?;
    Ok(Json(Caseload { patients: service::caseload(&state, &principal).await? }))
}

async fn caseload_page(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
) -> AppResult<Html<String>> {
    principal.require(&[Role::Therapist])?;
    let rows = service::caseload(&state, &principal).await?;
    let mut context = page::context(Some(&principal), &csrf);
    context.insert("patients", &rows);
    context.insert("wide", &true);
    context.insert("today", &crate::diaries::service::today(&state).to_string());
    state.views.render("therapist/caseload.html", principal.lang(), context)
}
