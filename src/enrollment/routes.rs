//! `POST /api/v1/patients` (enroll), `GET /api/v1/patients/{id}` (the record's
//! overview) and `GET /api/v1/me/export` (a patient's own data).

use axum::{
    extract::{Path, State},
    http::StatusCode,
    routing::get,
    Json,
};
use serde::Serialize;
use serde_json::{json, Value};
use utoipa::ToSchema;

use super::{access, service};
use crate::routing::{Access, Routes};
use crate::{
    assignments,
    auth::Principal,
    diaries,
    error::AppResult,
    messages,
    progress::service::{self as progress, ModuleState, Progress},
    questionnaires,
    state::AppState,
    web::{AppJson, ClientInfo},
};
use utoipa_axum::routes;

pub fn routes() -> Routes {
    Routes::new()
        .api(Access::THERAPIST, routes!(enroll))
        .api(Access::THERAPIST, routes!(patient))
        .api(Access::PATIENT, routes!(export))
        .page(Access::PATIENT, "/my-data", get(my_data))
        .page(Access::PATIENT, "/my-data/export.json", get(download))
        .merge(super::pages::routes())
}

async fn my_data(
    State(state): State<AppState>,
    csrf: crate::web::CsrfToken,
    principal: Principal,
) -> AppResult<axum::response::Html<String>> {
    access::own_enrollment(&state, &principal).await?;
    let context = crate::web::page::context(Some(&principal), &csrf);
    state.views.render("patient/my_data.html", principal.lang(), context)
}

/// The same export as the API, as a file download for the browser.
async fn download(state: State<AppState>, principal: Principal) -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let Json(data) = export(state, principal).await?;
    let body = serde_json::to_vec_pretty(&data).map_err(|e| crate::error::AppError::Internal(e.into()))?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/json"),
            (axum::http::header::CONTENT_DISPOSITION, "attachment; filename=\"icbt-my-data.json\""),
        ],
        body,
    )
        .into_response())
}

#[derive(Serialize, ToSchema)]
pub struct Enrolled {
    id: String,
    invitation_url: String,
}

/// Enroll a patient after the intake; the invitation is also mailed.
#[utoipa::path(post, path = "/api/v1/patients", tag = "therapist", security(("bearer" = [])),
    request_body = service::NewEnrollment,
    responses((status = 201, body = Enrolled), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
pub async fn enroll(
    State(state): State<AppState>,
    principal: Principal,
    client: ClientInfo,
    AppJson(body): AppJson<service::NewEnrollment>,
) -> AppResult<(StatusCode, Json<Enrolled>)> {
    let (enrollment, invitation_url) = service::enroll(&state, &principal, body, &client).await?;
    Ok((StatusCode::CREATED, Json(Enrolled { id: enrollment.id, invitation_url })))
}

#[derive(Serialize, ToSchema)]
pub struct ModuleSummary {
    id: String,
    title: String,
    state: ModuleState,
}

#[derive(Serialize, ToSchema)]
pub struct PatientView {
    id: String,
    case_code: String,
    program: String,
    status: crate::entities::enums::EnrollmentStatus,
    feedback_cadence: crate::entities::enums::Cadence,
    feedback_weekday: String,
    modules: Vec<ModuleSummary>,
}

/// A patient's record overview (their therapist); opening it is audited.
#[utoipa::path(get, path = "/api/v1/patients/{id}", tag = "therapist", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = PatientView), (status = 404, body = crate::error::Problem)))]
pub async fn patient(
    State(state): State<AppState>,
    principal: Principal,
    client: ClientInfo,
    Path(id): Path<String>,
) -> AppResult<Json<PatientView>> {
    let enrollment = access::record_for_staff(&state, &principal, &id, "patient.viewed", &client).await?;
    let program = progress::program_of(&state.content, &enrollment)?;
    let current = Progress::load(&state.db, &enrollment.id).await?;
    let modules = program
        .modules
        .iter()
        .map(|m| ModuleSummary {
            id: m.id.clone(),
            title: m.title.clone(),
            state: current.module_state(&m.id),
        })
        .collect();
    let weekday =
        super::schedule::WEEKDAYS.get(enrollment.feedback_weekday as usize).copied().unwrap_or("mon");
    Ok(Json(PatientView {
        id: enrollment.id,
        case_code: enrollment.case_code,
        program: enrollment.program_id,
        status: enrollment.status,
        feedback_cadence: enrollment.feedback_cadence,
        feedback_weekday: weekday.to_string(),
        modules,
    }))
}

/// Everything icbt holds about the logged-in patient, as JSON.
#[utoipa::path(get, path = "/api/v1/me/export", tag = "patient", security(("bearer" = [])),
    responses((status = 200, description = "the patient's own data")))]
pub async fn export(State(state): State<AppState>, principal: Principal) -> AppResult<Json<Value>> {
    let enrollment = access::own_enrollment(&state, &principal).await?;
    let db = &state.db;
    let current = Progress::load(db, &enrollment.id).await?;
    let parse = |text: &str| serde_json::from_str::<Value>(text).unwrap_or(Value::Null);
    let submissions: Vec<Value> = assignments::service::submitted(db, &enrollment.id)
        .await?
        .into_iter()
        .map(|s| json!({"item_id": s.item_id, "answers": parse(&s.answers), "submitted_at": s.submitted_at}))
        .collect();
    let entries: Vec<Value> = diaries::service::entries(db, &enrollment.id, None, None)
        .await?
        .into_iter()
        .map(|e| json!({"diary_id": e.diary_id, "date": e.entry_date, "values": parse(&e.entry_values)}))
        .collect();
    let responses: Vec<Value> = questionnaires::service::responses(db, &enrollment.id)
        .await?
        .into_iter()
        .map(|r| json!({"questionnaire_id": r.questionnaire_id, "assessment": r.assessment_id, "answers": parse(&r.answers),
                        "score": r.score, "band": r.band, "submitted_at": r.submitted_at}))
        .collect();
    let thread: Vec<Value> = messages::service::thread(db, &enrollment.id)
        .await?
        .into_iter()
        .map(
            |m| json!({"from": m.from_role, "body": m.body, "sent_at": m.sent_at, "feedback": m.is_feedback}),
        )
        .collect();
    let modules: Vec<Value> = current
        .modules
        .values()
        .map(|m| json!({"module_id": m.module_id, "state": m.state, "opened_at": m.opened_at, "completed_at": m.completed_at}))
        .collect();
    Ok(Json(json!({
        "exported_at": state.clock.now(),
        "account": {"email": principal.user.email, "name": principal.user.name, "language": principal.user.locale},
        "treatment": {"program": enrollment.program_id, "case_code": enrollment.case_code, "status": enrollment.status,
                      "enrolled_at": enrollment.enrolled_at, "feedback_cadence": enrollment.feedback_cadence},
        "modules": modules,
        "assignments": submissions,
        "diary_entries": entries,
        "questionnaires": responses,
        "messages": thread,
    })))
}
