//! The outbox for administrators (`/admin/outbox`, `/api/v1/outbox`); the
//! development mailbox lives in `dev_mailbox`.

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::{Html, Response},
    routing::{get, post},
    Json,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::outbox;
use crate::routing::{Access, Routes};
use crate::web::{confirmed, Notice};
use crate::{
    audit,
    auth::Principal,
    entities::mail_outbox,
    error::AppResult,
    state::AppState,
    web::{page, ClientInfo, CsrfToken},
};
use utoipa_axum::routes;

pub fn routes() -> Routes {
    Routes::new()
        .page(Access::ADMIN, "/admin/outbox", get(outbox_page))
        .page(Access::ADMIN, "/admin/outbox/{id}/retry", post(retry_page))
        .api(Access::ADMIN, routes!(list))
        .api(Access::ADMIN, routes!(retry))
        .merge(super::dev_mailbox::routes())
}

/// An outbox row without its body: administrators see delivery, not content.
#[derive(Serialize, ToSchema)]
pub struct OutboxRow {
    id: String,
    kind: String,
    to: String,
    status: String,
    attempts: i32,
    next_attempt_at: DateTime<Utc>,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
}

impl From<mail_outbox::Model> for OutboxRow {
    fn from(m: mail_outbox::Model) -> Self {
        OutboxRow {
            id: m.id,
            kind: m.kind.as_str().into(),
            to: m.to_address,
            status: m.status.as_str().into(),
            attempts: m.attempts,
            next_attempt_at: m.next_attempt_at,
            last_error: m.last_error,
            created_at: m.created_at,
            sent_at: m.sent_at,
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct StatusFilter {
    /// pending, sent or dead
    status: Option<String>,
    /// 1 for the newest messages.
    page: Option<u64>,
}

impl StatusFilter {
    fn page(&self) -> AppResult<u64> {
        match self.page.unwrap_or(1) {
            page @ 1..=100_000 => Ok(page),
            _ => Err(crate::error::AppError::field("page", "Pages are numbered from 1.")),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OutboxPage {
    messages: Vec<OutboxRow>,
    /// The page shown, from 1.
    page: u64,
    /// Whether older messages follow (ask for `page + 1`).
    has_more: bool,
}

/// The newest outbox messages, optionally of one status (admin).
#[utoipa::path(get, path = "/api/v1/outbox", tag = "admin", security(("bearer" = [])), params(StatusFilter),
    responses((status = 200, body = OutboxPage), (status = 403, body = crate::error::Problem)))]
pub async fn list(
    State(state): State<AppState>,
    _principal: Principal,
    Query(filter): Query<StatusFilter>,
) -> AppResult<Json<OutboxPage>> {
    let status = filter.status.as_deref().filter(|s| !s.is_empty());
    let page = filter.page()?;
    let (rows, has_more) = outbox::list(&state.db, status, page).await?;
    let messages = rows.into_iter().map(OutboxRow::from).collect();
    Ok(Json(OutboxPage { messages, page, has_more }))
}

/// Queue a failed or dead message again (admin).
#[utoipa::path(post, path = "/api/v1/outbox/{id}/retry", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 404, body = crate::error::Problem)))]
pub async fn retry(
    State(state): State<AppState>,
    client: ClientInfo,
    principal: Principal,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    retry_message(&state, &principal, &id, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn retry_message(
    state: &AppState,
    principal: &Principal,
    id: &str,
    client: &ClientInfo,
) -> AppResult<()> {
    let now = state.clock.now();
    outbox::retry(&state.db, id, now).await?;
    audit::record(&state.db, principal.audit("mail.retried").target("mail", id), client, now).await
}

async fn outbox_page(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
    Query(filter): Query<StatusFilter>,
) -> AppResult<Html<String>> {
    let status = filter.status.as_deref().filter(|s| !s.is_empty());
    let page = filter.page()?;
    let (rows, has_more) = outbox::list(&state.db, status, page).await?;
    let rows: Vec<OutboxRow> = rows.into_iter().map(OutboxRow::from).collect();
    let mut context = page::context(Some(&principal), &csrf);
    context.insert("rows", &rows);
    context.insert("status", &status);
    context.insert("page", &page);
    context.insert("has_more", &has_more);
    context.insert("wide", &true);
    state.views.render("admin/outbox.html", principal.lang(), context)
}

async fn retry_page(
    State(state): State<AppState>,
    client: ClientInfo,
    principal: Principal,
    Path(id): Path<String>,
) -> AppResult<Response> {
    retry_message(&state, &principal, &id, &client).await?;
    Ok(confirmed("/admin/outbox", Notice::MailRetried))
}
