//! `GET /api/v1/me/questionnaires` and
//! `POST /api/v1/me/questionnaires/{id}/responses`.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    routing::{get, post},
    Json, Router,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::service;
use crate::{
    app::AppState, auth::Principal, enrollment::access, error::AppResult, progress::service as progress,
    web::AppJson,
};

pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/me/questionnaires", get(due_questionnaires))
        .route("/me/questionnaires/{id}/responses", post(respond))
}

pub fn page_routes() -> Router<AppState> {
    Router::new()
}

#[derive(Serialize, ToSchema)]
pub struct OptionView {
    value: i64,
    label: String,
}

#[derive(Serialize, ToSchema)]
pub struct QuestionView {
    id: String,
    text: String,
    options: Vec<OptionView>,
}

#[derive(Serialize, ToSchema)]
pub struct DueView {
    /// The instrument id (phq-9, gad-7, pain-nrs, fatigue-nrs).
    id: String,
    title: String,
    instructions: String,
    /// The assessment it is due for (baseline, mid, end, follow-up).
    due: String,
    due_since: DateTime<Utc>,
    items: Vec<QuestionView>,
}

#[derive(Serialize, ToSchema)]
pub struct DueList {
    questionnaires: Vec<DueView>,
}

/// Questionnaires due now.
#[utoipa::path(get, path = "/api/v1/me/questionnaires", tag = "patient", security(("bearer" = [])),
    responses((status = 200, body = DueList)))]
pub async fn due_questionnaires(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<DueList>> {
    let enrollment = access::own_enrollment(&state, &principal).await?;
    let program = progress::program_of(&state.content, &enrollment)?;
    let questionnaires = service::due(&state, &enrollment, program)
        .await?
        .into_iter()
        .map(|d| DueView {
            id: d.questionnaire.id.clone(),
            title: d.questionnaire.title.clone(),
            instructions: d.questionnaire.instructions.clone(),
            due: d.assessment.id.clone(),
            due_since: d.since,
            items: d
                .questionnaire
                .items
                .iter()
                .map(|item| QuestionView {
                    id: item.id.clone(),
                    text: item.text.clone(),
                    options: d
                        .questionnaire
                        .options
                        .iter()
                        .map(|o| OptionView { value: o.value, label: o.label.clone() })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    Ok(Json(DueList { questionnaires }))
}

#[derive(Deserialize, ToSchema)]
pub struct ResponseRequest {
    #[schema(value_type = Object)]
    answers: Map<String, Value>,
}

#[derive(Serialize, ToSchema)]
pub struct ScoreView {
    id: String,
    score: i64,
    band: String,
    /// What the score means, in plain words.
    meaning: String,
}

/// Answer a due questionnaire; the score and band come back.
#[utoipa::path(post, path = "/api/v1/me/questionnaires/{id}/responses", tag = "patient", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ResponseRequest,
    responses((status = 201, body = ScoreView), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
pub async fn respond(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    AppJson(body): AppJson<ResponseRequest>,
) -> AppResult<(StatusCode, Json<ScoreView>)> {
    let enrollment = access::own_enrollment(&state, &principal).await?;
    let (saved, scored) = service::answer(&state, &enrollment, &id, &body.answers).await?;
    Ok((
        StatusCode::CREATED,
        Json(ScoreView {
            id: saved.id,
            score: scored.score,
            band: scored.band.label,
            meaning: scored.band.plain,
        }),
    ))
}
