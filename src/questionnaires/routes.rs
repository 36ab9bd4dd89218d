//! `GET /api/v1/me/questionnaires` and
//! `POST /api/v1/me/questionnaires/{id}/responses`.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::get,
    Json,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::service;
use crate::routing::{Access, Routes};
use crate::web::finish;
use crate::{
    auth::Principal,
    enrollment::access,
    error::{AppError, AppResult},
    progress::service as progress,
    state::AppState,
    web::{page, AppForm, AppJson, CsrfToken},
};
use utoipa_axum::routes;

pub fn routes() -> Routes {
    Routes::new()
        .api(Access::PATIENT, routes!(due_questionnaires))
        .api(Access::PATIENT, routes!(respond))
        .page(Access::PATIENT, "/questionnaires", get(list_page))
        .page(Access::PATIENT, "/questionnaires/{id}", get(form_page).post(submit_form))
}

#[derive(Serialize)]
struct ScoreRow {
    title: String,
    assessment: String,
    date: String,
    score: i32,
    max: i64,
    band: String,
    meaning: String,
}

/// Due questionnaires and the patient's own scores over time, in plain words.
async fn list_page(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
) -> AppResult<Response> {
    let enrollment = access::own_enrollment(&state, &principal).await?;
    let program = progress::program_of(&state.content, &enrollment)?;
    let due: Vec<(String, String, String)> = service::due(&state, &enrollment, program)
        .await?
        .iter()
        .map(|d| {
            (d.questionnaire.id.clone(), d.questionnaire.title.clone(), d.questionnaire.short_title.clone())
        })
        .collect();
    let scores: Vec<ScoreRow> = service::responses(&state.db, &enrollment.id)
        .await?
        .into_iter()
        .filter_map(|r| {
            let q = state.content.questionnaire(&r.questionnaire_id)?;
            let band = crate::content::scoring::band_for(q, r.score.into());
            Some(ScoreRow {
                title: q.short_title.clone(),
                assessment: r.assessment_id.clone(),
                date: r.submitted_at.to_rfc3339(),
                score: r.score,
                max: q.max,
                band: r.band.clone(),
                meaning: band.map(|b| b.plain.clone()).unwrap_or_default(),
            })
        })
        .collect();
    let mut context = page::context(Some(&principal), &csrf);
    context.insert("due", &due);
    context.insert("scores", &scores);
    Ok(state.views.render("patient/questionnaires.html", principal.lang(), context)?.into_response())
}

async fn form_page(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
    Path(id): Path<String>,
) -> AppResult<Response> {
    render_form(&state, &csrf, &principal, &id, None).await
}

async fn render_form(
    state: &AppState,
    csrf: &CsrfToken,
    principal: &Principal,
    id: &str,
    refused: Option<(Map<String, Value>, crate::error::FieldErrors)>,
) -> AppResult<Response> {
    let enrollment = access::own_enrollment(state, principal).await?;
    let program = progress::program_of(&state.content, &enrollment)?;
    let due = service::due(state, &enrollment, program).await?;
    let due = due.into_iter().find(|d| d.questionnaire.id == id).ok_or(AppError::NotFound)?;
    let (values, errors) = refused.unwrap_or_default();
    let q = due.questionnaire;
    let items: Vec<Value> = q
        .items
        .iter()
        .map(|item| {
            let chosen = values.get(&item.id).and_then(|v| v.as_str().map(str::to_string));
            serde_json::json!({
                "id": item.id, "text": item.text, "errors": errors.get(&item.id),
                "options": q.options.iter().map(|o| serde_json::json!({
                    "value": o.value, "label": o.label, "checked": chosen.as_deref() == Some(o.value.to_string().as_str())
                })).collect::<Vec<_>>()
            })
        })
        .collect();
    let mut context = page::context(Some(principal), csrf);
    context.insert("id", &q.id);
    context.insert("title", &q.title);
    context.insert("instructions", &q.instructions);
    context.insert("items", &items);
    context.insert("error_count", &errors.len());
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, state.views.render("patient/questionnaire.html", principal.lang(), context)?).into_response())
}

async fn submit_form(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
    Path(id): Path<String>,
    AppForm(pairs): AppForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let enrollment = access::own_enrollment(&state, &principal).await?;
    let values: Map<String, Value> = pairs
        .into_iter()
        .filter(|(k, _)| k != "csrf" && k != crate::auth::kept_forms::FROM_FIELD)
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    let answered = service::answer(&state, &enrollment, &id, &values).await;
    let (state, principal, csrf, id) = (&state, &principal, &csrf, &id);
    let show_score = |(_, scored): (_, crate::content::scoring::Scored)| async move {
        let questionnaire = state.content.questionnaire(id).ok_or(AppError::NotFound)?;
        let mut context = page::context(Some(principal), csrf);
        context.insert("title", &questionnaire.title);
        context.insert("score", &scored.score);
        context.insert("max", &questionnaire.max);
        context.insert("meaning", &scored.band.plain);
        context.insert("risk", &!scored.risks.is_empty());
        Ok(state.views.render("patient/questionnaire_done.html", principal.lang(), context)?.into_response())
    };
    finish(answered, show_score, |errors| {
        render_form(state, csrf, principal, id, Some((values.clone(), errors)))
    })
    .await
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
