//! The administrator's view of the audit log: `/admin/audit` and
//! `GET /api/v1/audit`. Read-only: nothing in the application edits or
//! deletes audit rows.

use axum::{
    extract::{Query, State},
    response::Html,
    routing::get,
    Json,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::service::{self, AuditQuery, AuditRow};
use crate::routing::{Access, Routes};
use crate::{
    auth::Principal,
    error::AppResult,
    state::AppState,
    web::{page, CsrfToken},
};
use utoipa_axum::routes;

pub fn routes() -> Routes {
    Routes::new().page(Access::ADMIN, "/admin/audit", get(audit_page)).api(Access::ADMIN, routes!(search))
}

async fn audit_page(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
    Query(query): Query<AuditQuery>,
) -> AppResult<Html<String>> {
    let rows: Vec<AuditRow> =
        service::search(&state.db, &query).await?.into_iter().map(AuditRow::from).collect();
    let mut context = page::context(Some(&principal), &csrf);
    context.insert("rows", &rows);
    context.insert("query", &query);
    context.insert("limit", &service::PAGE_SIZE);
    context.insert("wide", &true);
    state.views.render("admin/audit.html", principal.lang(), context)
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    entries: Vec<AuditRow>,
}

/// Search the audit log, newest first (admin).
#[utoipa::path(get, path = "/api/v1/audit", tag = "admin", security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 403, body = crate::error::Problem)))]
pub async fn search(
    State(state): State<AppState>,
    _principal: Principal,
    Query(query): Query<AuditQuery>,
) -> AppResult<Json<AuditPage>> {
    let entries = service::search(&state.db, &query).await?.into_iter().map(AuditRow::from).collect();
    Ok(Json(AuditPage { entries }))
}
