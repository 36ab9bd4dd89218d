//! `GET /api/v1/caseload` and the caseload page `/caseload`.

use axum::{extract::State, response::Html, routing::get, Json};
use serde::Serialize;
use utoipa::ToSchema;

use super::service::{self, CaseloadRow};
use crate::routing::{Access, Routes};
use crate::{
    auth::Principal,
    error::AppResult,
    state::AppState,
    web::{page, CsrfToken},
};
use utoipa_axum::routes;

pub fn routes() -> Routes {
    Routes::new()
        .api(Access::THERAPIST, routes!(caseload))
        .page(Access::THERAPIST, "/caseload", get(caseload_page))
        .merge(super::record::routes())
        .merge(super::risk_routes::routes())
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
    Ok(Json(Caseload { patients: service::caseload(&state, &principal).await? }))
}

async fn caseload_page(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
) -> AppResult<Html<String>> {
    let rows = service::caseload(&state, &principal).await?;
    let mut context = page::context(Some(&principal), &csrf);
    context.insert("patients", &rows);
    let titles: std::collections::HashMap<&str, &str> =
        state.content.programs().map(|p| (p.id.as_str(), p.title.as_str())).collect();
    context.insert("program_titles", &titles);
    context.insert("wide", &true);
    context.insert("today", &crate::diaries::service::today(&state).to_string());
    state.views.render("therapist/caseload.html", principal.lang(), context)
}
