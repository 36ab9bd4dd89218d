//! `GET/POST /api/v1/me/messages`, and for the therapist
//! `GET/POST /api/v1/patients/{id}/messages` (a reply) and
//! `POST /api/v1/patients/{id}/feedback`.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::get,
    Json,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::service;
use crate::routing::{Access, Routes};
use crate::web::{confirmed, finish, Notice};
use crate::{
    accounts::Role,
    auth::Principal,
    enrollment::access,
    entities::messages,
    error::AppResult,
    state::AppState,
    web::{page, AppForm, AppJson, ClientInfo, CsrfToken},
};
use utoipa_axum::routes;

pub fn routes() -> Routes {
    Routes::new()
        .api(Access::PATIENT, routes!(my_messages, send))
        .api(Access::THERAPIST, routes!(patient_messages, reply))
        .api(Access::THERAPIST, routes!(feedback))
        .page(Access::PATIENT, "/messages", get(inbox).post(send_form))
}

async fn inbox(State(state): State<AppState>, csrf: CsrfToken, principal: Principal) -> AppResult<Response> {
    render_inbox(&state, &csrf, &principal, None, "").await
}

async fn render_inbox(
    state: &AppState,
    csrf: &CsrfToken,
    principal: &Principal,
    errors: Option<crate::error::FieldErrors>,
    draft: &str,
) -> AppResult<Response> {
    let enrollment = access::own_enrollment(state, principal).await?;
    let thread: Vec<MessageView> =
        service::thread(&state.db, &enrollment.id).await?.into_iter().map(MessageView::from).collect();
    service::mark_read(&state.db, &enrollment, Role::Patient, state.clock.now()).await?;
    let mut context = page::context(Some(principal), csrf);
    context.insert("messages", &thread);
    context.insert("draft", draft);
    let status = if errors.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    context.insert("errors", &errors);
    Ok((status, state.views.render("patient/messages.html", principal.lang(), context)?).into_response())
}

async fn send_form(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
    AppForm(form): AppForm<NewMessage>,
) -> AppResult<Response> {
    let enrollment = access::own_enrollment(&state, &principal).await?;
    let sent = service::send_from_patient(&state, &enrollment, &principal, &form.body).await;
    let done = |_| async { Ok(confirmed("/messages", Notice::MessageSent)) };
    finish(sent, done, |errors| render_inbox(&state, &csrf, &principal, Some(errors), &form.body)).await
}

#[derive(Serialize, ToSchema)]
pub struct MessageView {
    id: String,
    from_role: crate::accounts::Role,
    body: String,
    sent_at: DateTime<Utc>,
    read_at: Option<DateTime<Utc>>,
    is_feedback: bool,
}

impl From<messages::Model> for MessageView {
    fn from(m: messages::Model) -> Self {
        MessageView {
            id: m.id,
            from_role: m.from_role,
            body: m.body,
            sent_at: m.sent_at,
            read_at: m.read_at,
            is_feedback: m.is_feedback,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MessageList {
    messages: Vec<MessageView>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewMessage {
    body: String,
}

#[derive(Serialize, ToSchema)]
pub struct MessageCreated {
    id: String,
}

/// The patient's thread with their therapist; reading marks it read.
#[utoipa::path(get, path = "/api/v1/me/messages", tag = "patient", security(("bearer" = [])),
    responses((status = 200, body = MessageList)))]
pub async fn my_messages(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<MessageList>> {
    let enrollment = access::own_enrollment(&state, &principal).await?;
    let thread = service::thread(&state.db, &enrollment.id).await?;
    service::mark_read(&state.db, &enrollment, Role::Patient, state.clock.now()).await?;
    Ok(Json(MessageList { messages: thread.into_iter().map(MessageView::from).collect() }))
}

/// Send a message to the therapist.
#[utoipa::path(post, path = "/api/v1/me/messages", tag = "patient", security(("bearer" = [])), request_body = NewMessage,
    responses((status = 201, body = MessageCreated), (status = 422, body = crate::error::Problem)))]
pub async fn send(
    State(state): State<AppState>,
    principal: Principal,
    AppJson(body): AppJson<NewMessage>,
) -> AppResult<(StatusCode, Json<MessageCreated>)> {
    let enrollment = access::own_enrollment(&state, &principal).await?;
    let id = service::send_from_patient(&state, &enrollment, &principal, &body.body).await?;
    Ok((StatusCode::CREATED, Json(MessageCreated { id })))
}

/// A patient's thread (their therapist); reading marks the patient's messages read.
#[utoipa::path(get, path = "/api/v1/patients/{id}/messages", tag = "therapist", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = MessageList), (status = 404, body = crate::error::Problem)))]
pub async fn patient_messages(
    State(state): State<AppState>,
    principal: Principal,
    client: ClientInfo,
    Path(id): Path<String>,
) -> AppResult<Json<MessageList>> {
    let enrollment =
        access::record_for_staff(&state, &principal, &id, "patient.messages_viewed", &client).await?;
    let thread = service::thread(&state.db, &enrollment.id).await?;
    Ok(Json(MessageList { messages: thread.into_iter().map(MessageView::from).collect() }))
}

/// Write feedback; what it covers is marked reviewed.
#[utoipa::path(post, path = "/api/v1/patients/{id}/feedback", tag = "therapist", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = NewMessage,
    responses((status = 201, body = MessageCreated), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
pub async fn feedback(
    State(state): State<AppState>,
    principal: Principal,
    client: ClientInfo,
    Path(id): Path<String>,
    AppJson(body): AppJson<NewMessage>,
) -> AppResult<(StatusCode, Json<MessageCreated>)> {
    let enrollment =
        access::record_for_staff(&state, &principal, &id, "patient.feedback_opened", &client).await?;
    let id = service::send_feedback(&state, &enrollment, &principal, &body.body, &client).await?;
    Ok((StatusCode::CREATED, Json(MessageCreated { id })))
}

/// Reply to the patient between feedback days: an ordinary message that
/// neither marks anything reviewed nor moves the feedback day, and does not
/// count as feedback in the reports.
#[utoipa::path(post, path = "/api/v1/patients/{id}/messages", tag = "therapist", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = NewMessage,
    responses((status = 201, body = MessageCreated), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
pub async fn reply(
    State(state): State<AppState>,
    principal: Principal,
    client: ClientInfo,
    Path(id): Path<String>,
    AppJson(body): AppJson<NewMessage>,
) -> AppResult<(StatusCode, Json<MessageCreated>)> {
    let enrollment =
        access::record_for_staff(&state, &principal, &id, "patient.reply_opened", &client).await?;
    let id = service::send_reply(&state, &enrollment, &principal, &body.body, &client).await?;
    Ok((StatusCode::CREATED, Json(MessageCreated { id })))
}
