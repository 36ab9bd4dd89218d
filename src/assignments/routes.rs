//! `POST /api/v1/me/assignments/{item_id}/submissions` and the therapist's
//! `GET /api/v1/patients/{id}/submissions`.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
    routing::post,
    Json,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::service;
use crate::routing::{Access, Routes};
use crate::web::{confirmed, finish, Notice};
use crate::{
    auth::Principal,
    content::answers::Completeness,
    enrollment::access,
    error::{AppError, AppResult},
    progress,
    state::AppState,
    web::{AppForm, AppJson, ClientInfo, CsrfToken},
};
use utoipa_axum::routes;

pub fn routes() -> Routes {
    Routes::new()
        .api(Access::PATIENT, routes!(submit))
        .api(Access::THERAPIST, routes!(patient_submissions))
        .page(Access::PATIENT, "/items/{item_id}/answers", post(submit_form))
}

/// The assignment form: "save for later" keeps a draft, "send" submits.
async fn submit_form(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
    Path(item_id): Path<String>,
    AppForm(pairs): AppForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let enrollment = access::own_enrollment(&state, &principal).await?;
    let fields = form_fields(&state, &enrollment, &item_id)?;
    let values = crate::web::fields::answers_from_form(&fields, &pairs);
    if let Some(more) = progress::Refused::adding_a_row(&pairs, &values, None) {
        return progress::render_item(&state, &csrf, &principal, &enrollment, &item_id, (Some(more), true))
            .await;
    }
    let draft = pairs.iter().any(|(k, v)| k == "intent" && v == "draft");
    let completeness = if draft { Completeness::Draft } else { Completeness::Final };
    let saved = service::save(&state, &enrollment, &item_id, &values, completeness).await;
    let notice = if draft { Notice::AssignmentDraftSaved } else { Notice::AssignmentSent };
    let done = |_| async { Ok(confirmed(&format!("/items/{item_id}"), notice)) };
    let again = |errors| {
        let refused = progress::Refused { values: values.clone(), errors, date: None, rows_wanted: None };
        progress::render_item(&state, &csrf, &principal, &enrollment, &item_id, (Some(refused), false))
    };
    finish(saved, done, again).await
}

/// The fields of an item the patient may open.
pub(crate) fn form_fields(
    state: &AppState,
    enrollment: &crate::entities::enrollments::Model,
    item_id: &str,
) -> AppResult<Vec<crate::content::model::Field>> {
    let program = progress::service::program_of(&state.content, enrollment)?;
    let (_, item) = program
        .modules
        .iter()
        .find_map(|m| m.items.iter().find(|i| i.id == item_id).map(|i| (m, i)))
        .ok_or(AppError::NotFound)?;
    match &item.body {
        crate::content::ItemBody::Form(form) => Ok(form.fields.clone()),
        crate::content::ItemBody::Page(_) => Err(AppError::NotFound),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct SubmissionRequest {
    #[schema(value_type = Object)]
    answers: Map<String, Value>,
    /// Save without submitting; required fields may still be empty.
    #[serde(default)]
    draft: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: String,
}

/// Submit an assignment (or save a draft). 422 names each field's problem.
#[utoipa::path(post, path = "/api/v1/me/assignments/{item_id}/submissions", tag = "patient", security(("bearer" = [])),
    params(("item_id" = String, Path)), request_body = SubmissionRequest,
    responses((status = 201, body = Created), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
pub async fn submit(
    State(state): State<AppState>,
    principal: Principal,
    Path(item_id): Path<String>,
    AppJson(body): AppJson<SubmissionRequest>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let enrollment = access::own_enrollment(&state, &principal).await?;
    let completeness = if body.draft { Completeness::Draft } else { Completeness::Final };
    let id = service::save(&state, &enrollment, &item_id, &body.answers, completeness).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Serialize, ToSchema)]
pub struct SubmissionView {
    id: String,
    item_id: String,
    #[schema(value_type = Object)]
    answers: Value,
    submitted_at: Option<DateTime<Utc>>,
    content_version: String,
}

#[derive(Serialize, ToSchema)]
pub struct SubmissionList {
    submissions: Vec<SubmissionView>,
}

/// A patient's submitted assignments (their therapist).
#[utoipa::path(get, path = "/api/v1/patients/{id}/submissions", tag = "therapist", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = SubmissionList), (status = 404, body = crate::error::Problem)))]
pub async fn patient_submissions(
    State(state): State<AppState>,
    principal: Principal,
    client: ClientInfo,
    Path(id): Path<String>,
) -> AppResult<Json<SubmissionList>> {
    let enrollment =
        access::record_for_staff(&state, &principal, &id, "patient.submissions_viewed", &client).await?;
    let submissions = service::submitted(&state.db, &enrollment.id)
        .await?
        .into_iter()
        .map(|s| SubmissionView {
            answers: serde_json::from_str(&s.answers).unwrap_or(Value::Null),
            id: s.id,
            item_id: s.item_id,
            submitted_at: s.submitted_at,
            content_version: s.content_version,
        })
        .collect();
    Ok(Json(SubmissionList { submissions }))
}
