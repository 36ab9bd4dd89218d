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

use super::search::{self, AuditQuery, AuditRow};
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
    let found = search::search(&state.db, &query).await?;
    let names = search::names_for(&state.db, &found.rows).await?;
    let rows: Vec<AuditRow> = found.rows.into_iter().map(AuditRow::from).collect();
    let mut context = page::context(Some(&principal), &csrf);
    context.insert("rows", &rows);
    context.insert("names", &names);
    context.insert("query", &query);
    context.insert("page", &found.page);
    context.insert("has_more", &found.has_more);
    context.insert("page_size", &search::PAGE_SIZE);
    // The same search on the page before and after.
    let mut others = query.clone();
    others.page = None;
    context.insert("search", &serde_urlencoded::to_string(&others).unwrap_or_default());
    context.insert("wide", &true);
    state.views.render("admin/audit.html", principal.lang(), context)
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    entries: Vec<AuditRow>,
    /// The page shown, from 1.
    page: u64,
    /// Whether older entries match too (ask for `page + 1`).
    has_more: bool,
}

/// Search the audit log, newest first (admin).
#[utoipa::path(get, path = "/api/v1/audit", tag = "admin", security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 403, body = crate::error::Problem)))]
pub async fn search(
    State(state): State<AppState>,
    _principal: Principal,
    Query(query): Query<AuditQuery>,
) -> AppResult<Json<AuditPage>> {
    let found = search::search(&state.db, &query).await?;
    let entries = found.rows.into_iter().map(AuditRow::from).collect();
    Ok(Json(AuditPage { entries, page: found.page, has_more: found.has_more }))
}
