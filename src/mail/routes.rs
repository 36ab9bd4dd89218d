//! The outbox for administrators (`/admin/outbox`, `/api/v1/outbox`) and, in
//! development only, the local mailbox (`/dev/mailbox`).

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
    config::MailTransport,
    entities::mail_outbox,
    error::{AppError, AppResult},
    state::AppState,
    web::{page, ClientInfo, CsrfToken, Lang},
};
use utoipa_axum::routes;

pub fn routes() -> Routes {
    Routes::new()
        .page(Access::ADMIN, "/admin/outbox", get(outbox_page))
        .page(Access::ADMIN, "/admin/outbox/{id}/retry", post(retry_page))
        .api(Access::ADMIN, routes!(list))
        .api(Access::ADMIN, routes!(retry))
        .page(Access::Public, "/dev/mailbox", get(mailbox))
        .page(Access::Public, "/dev/mailbox/{file}", get(mailbox_message))
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
}

#[derive(Serialize, ToSchema)]
pub struct OutboxPage {
    messages: Vec<OutboxRow>,
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
    let messages = outbox::list(&state.db, status).await?.into_iter().map(OutboxRow::from).collect();
    Ok(Json(OutboxPage { messages }))
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
    let rows: Vec<OutboxRow> =
        outbox::list(&state.db, status).await?.into_iter().map(OutboxRow::from).collect();
    let mut context = page::context(Some(&principal), &csrf);
    context.insert("rows", &rows);
    context.insert("status", &status);
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

/// The development mailbox exists only with `mail.transport = "mailbox"` in
/// development; everywhere else it is 404.
fn mailbox_dir(state: &AppState) -> AppResult<&std::path::Path> {
    let mail = &state.settings.mail;
    if state.settings.is_development() && mail.transport == MailTransport::Mailbox {
        Ok(&mail.mailbox_dir)
    } else {
        Err(AppError::NotFound)
    }
}

#[derive(Serialize)]
struct MailboxEntry {
    file: String,
    subject: String,
    to: String,
}

async fn mailbox(State(state): State<AppState>, lang: Lang, csrf: CsrfToken) -> AppResult<Html<String>> {
    let dir = mailbox_dir(&state)?;
    let mut entries = Vec::new();
    if let Ok(mut read) = tokio::fs::read_dir(dir).await {
        while let Ok(Some(entry)) = read.next_entry().await {
            let file = entry.file_name().to_string_lossy().to_string();
            if !file.ends_with(".eml") {
                continue;
            }
            let text = tokio::fs::read_to_string(entry.path()).await.unwrap_or_default();
            let header = |name: &str| {
                text.lines()
                    .find_map(|l| l.strip_prefix(name))
                    .map(|v| v.trim().to_string())
                    .unwrap_or_default()
            };
            entries.push(MailboxEntry { subject: header("Subject:"), to: header("To:"), file });
        }
    }
    // UUIDv7 file names sort by time; newest first.
    entries.sort_by(|a, b| b.file.cmp(&a.file));
    let mut context = page::context(None, &csrf);
    context.insert("entries", &entries);
    state.views.render("dev/mailbox.html", lang, context)
}

async fn mailbox_message(
    State(state): State<AppState>,
    lang: Lang,
    csrf: CsrfToken,
    Path(file): Path<String>,
) -> AppResult<Html<String>> {
    let dir = mailbox_dir(&state)?;
    let valid =
        file.ends_with(".eml") && file.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    if !valid {
        return Err(AppError::NotFound);
    }
    let text = tokio::fs::read_to_string(dir.join(&file)).await.map_err(|_| AppError::NotFound)?;
    let mut context = page::context(None, &csrf);
    context.insert("file", &file);
    context.insert("message", &text);
    state.views.render("dev/message.html", lang, context)
}
