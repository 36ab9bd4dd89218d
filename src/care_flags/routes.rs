//! The record's flag banner form and `/api/v1/patients/{id}/flags`, both
//! through `open::decide`.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
    routing::post,
    Json,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::open::{self as flags, FlagView};
use crate::routing::{Access, Routes};
use crate::web::{confirmed, finish, Notice};
use crate::{
    auth::Principal,
    enrollment::access,
    entities::enums::FlagDecision,
    error::{AppResult, FieldErrors},
    state::AppState,
    web::{AppForm, AppJson, ClientInfo, CsrfToken},
};

pub fn routes() -> Routes {
    Routes::new().api(Access::THERAPIST, routes!(open_flags)).api(Access::THERAPIST, routes!(decide)).page(
        Access::THERAPIST,
        "/patients/{id}/flags/{flag_id}",
        post(decide_form),
    )
}

/// The patient's flags waiting for a decision, oldest first.
#[utoipa::path(get, path = "/api/v1/patients/{id}/flags", tag = "therapist", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<FlagView>), (status = 404, body = crate::error::Problem)))]
pub async fn open_flags(
    State(state): State<AppState>,
    principal: Principal,
    client: ClientInfo,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<FlagView>>> {
    let enrollment = access::record_for_staff(&state, &principal, &id, "patient.viewed", &client).await?;
    Ok(Json(flags::open_flags(&state, &enrollment).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct Decision {
    /// Stepped care: `stepped_up` (also sets the status) or `no_step_up`;
    /// not on track: `extra_support`.
    decision: FlagDecision,
    /// Why, for the record (at most 1000 characters).
    reason: String,
}

/// Decides on a flag: step up to face-to-face, or no step-up, with a reason.
#[utoipa::path(post, path = "/api/v1/patients/{id}/flags/{flag_id}/decision", tag = "therapist",
    security(("bearer" = [])), params(("id" = String, Path), ("flag_id" = String, Path)),
    request_body = Decision,
    responses((status = 204), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn decide(
    State(state): State<AppState>,
    principal: Principal,
    client: ClientInfo,
    Path((id, flag_id)): Path<(String, String)>,
    AppJson(body): AppJson<Decision>,
) -> AppResult<StatusCode> {
    let enrollment = access::record_for_staff(&state, &principal, &id, "patient.viewed", &client).await?;
    let decision = (flag_id.as_str(), Some(body.decision), body.reason.as_str());
    flags::decide(&state, &principal, &enrollment, decision, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct DecisionForm {
    decision: Option<String>,
    #[serde(default)]
    reason: String,
}

/// A decision sent incomplete: shown again on its banner with the errors.
#[derive(Serialize)]
pub struct RefusedFlag {
    pub flag_id: String,
    pub decision: Option<String>,
    pub reason: String,
    pub errors: FieldErrors,
}

async fn decide_form(
    State(state): State<AppState>,
    csrf: CsrfToken,
    client: ClientInfo,
    principal: Principal,
    Path((id, flag_id)): Path<(String, String)>,
    AppForm(form): AppForm<DecisionForm>,
) -> AppResult<Response> {
    let enrollment = access::record_for_staff(&state, &principal, &id, "patient.viewed", &client).await?;
    let chosen = match form.decision.as_deref() {
        Some("stepped_up") => Some(FlagDecision::SteppedUp),
        Some("no_step_up") => Some(FlagDecision::NoStepUp),
        Some("extra_support") => Some(FlagDecision::ExtraSupport),
        _ => None,
    };
    let decided =
        flags::decide(&state, &principal, &enrollment, (&flag_id, chosen, &form.reason), &client).await;
    let done = |decision| async move {
        let notice = match decision {
            FlagDecision::SteppedUp => Notice::SteppedUp,
            FlagDecision::NoStepUp => Notice::NoStepUp,
            FlagDecision::ExtraSupport => Notice::ExtraSupport,
        };
        Ok(confirmed(&format!("/patients/{id}"), notice))
    };
    let again = |errors| {
        let refused = RefusedFlag {
            flag_id: flag_id.clone(),
            decision: form.decision.clone(),
            reason: form.reason.clone(),
            errors,
        };
        crate::caseload::record::render_refused_flag(&state, &csrf, &principal, &enrollment, refused)
    };
    finish(decided, done, again).await
}
