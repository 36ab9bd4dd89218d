//! The administrator's view of the audit log: `/admin/audit` and
//! `GET /api/v1/audit`. Read-only: nothing in the application edits or
//! deletes audit rows.

use axum::{
    extract::{Query, State},
    response::Html,
    routing::get,
    Json, Router,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::service::{self, AuditQuery, AuditRow};
use crate::{
    accounts::Role,
    app::AppState,
    auth::Principal,
    error::AppResult,
    web::{page, CsrfToken},
};

pub fn admin_page_routes() -> Router<AppState> {
    Router::new().route("/admin/audit", get(audit_page))
}

pub fn api_routes() -> Router<AppState> {
    Router::new().route("/audit", get(search))
}

async fn audit_page(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
    Query(query): Query<AuditQuery>,
) -> AppResult<Html<String>> {
    principal.require(&[Role::Admin])?;
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
    principal: Principal,
    Query(query): Query<AuditQuery>,
) -> AppResult<Json<AuditPage>> {
    principal.require(&[Role::Admin])?;
    let entries = service::search(&state.db, &query).await?.into_iter().map(AuditRow::from).collect();
    Ok(Json(AuditPage { entries }))
}
