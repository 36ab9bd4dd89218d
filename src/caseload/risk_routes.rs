//! Handling a risk answer: the record's banner form and
//! `/api/v1/patients/{id}/risks`, both through `risk::handle_risk`.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
    routing::post,
    Json,
};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::risk::{self, OpenRisk};
use crate::routing::{Access, Routes};
use crate::web::{confirmed, finish, Notice};
use crate::{
    auth::Principal,
    enrollment::access,
    error::AppResult,
    state::AppState,
    web::{AppForm, AppJson, ClientInfo, CsrfToken},
};

pub fn routes() -> Routes {
    Routes::new()
        .api(Access::THERAPIST, routes!(open_risks))
        .api(Access::THERAPIST, routes!(handle_risk))
        .page(Access::THERAPIST, "/patients/{id}/risks/{response_id}", post(handle_risk_form))
}

/// The patient's risk answers not yet handled, oldest first.
#[utoipa::path(get, path = "/api/v1/patients/{id}/risks", tag = "therapist", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<OpenRisk>), (status = 404, body = crate::error::Problem)))]
pub async fn open_risks(
    State(state): State<AppState>,
    principal: Principal,
    client: ClientInfo,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<OpenRisk>>> {
    let enrollment = access::record_for_staff(&state, &principal, &id, "patient.viewed", &client).await?;
    Ok(Json(risk::open_risks(&state, &enrollment.id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct RiskHandling {
    /// Must be true: the therapist has contacted the patient.
    contacted: bool,
    /// What was agreed, in a few words (at most 1000 characters).
    note: String,
}

/// "I have contacted the patient": closes one risk answer, with a note.
#[utoipa::path(post, path = "/api/v1/patients/{id}/risks/{response_id}/handling", tag = "therapist",
    security(("bearer" = [])), params(("id" = String, Path), ("response_id" = String, Path)),
    request_body = RiskHandling,
    responses((status = 204), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn handle_risk(
    State(state): State<AppState>,
    principal: Principal,
    client: ClientInfo,
    Path((id, response_id)): Path<(String, String)>,
    AppJson(body): AppJson<RiskHandling>,
) -> AppResult<StatusCode> {
    let enrollment = access::record_for_staff(&state, &principal, &id, "patient.viewed", &client).await?;
    let handling = (response_id.as_str(), body.contacted, body.note.as_str());
    risk::handle_risk(&state, &principal, &enrollment, handling, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct RiskForm {
    contacted: Option<String>,
    #[serde(default)]
    note: String,
}

async fn handle_risk_form(
    State(state): State<AppState>,
    csrf: CsrfToken,
    client: ClientInfo,
    principal: Principal,
    Path((id, response_id)): Path<(String, String)>,
    AppForm(form): AppForm<RiskForm>,
) -> AppResult<Response> {
    let enrollment = access::record_for_staff(&state, &principal, &id, "patient.viewed", &client).await?;
    let handling = (response_id.as_str(), form.contacted.is_some(), form.note.as_str());
    let handled = risk::handle_risk(&state, &principal, &enrollment, handling, &client).await;
    let done = |_| async { Ok(confirmed(&format!("/patients/{id}"), Notice::RiskHandled)) };
    let again = |errors| {
        let refused =
            super::record::RefusedRisk { response_id: response_id.clone(), note: form.note.clone(), errors };
        super::record::render_refused_risk(&state, &csrf, &principal, &enrollment, refused)
    };
    finish(handled, done, again).await
}
