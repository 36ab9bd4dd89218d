//! `/api/v1/me/program`, `/api/v1/me/items/{item_id}` (+ `/complete`) and the
//! therapist's `PATCH /api/v1/patients/{id}/modules/{module_id}`.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::service::{self, ModuleState, ProgramView, Progress};
use crate::routing::{Access, Routes};
use crate::{
    auth::Principal,
    content::ItemBody,
    enrollment::access,
    error::{AppError, AppResult},
    state::AppState,
    web::{AppJson, ClientInfo},
};
use utoipa_axum::routes;

pub fn routes() -> Routes {
    Routes::new()
        .api(Access::PATIENT, routes!(my_program))
        .api(Access::PATIENT, routes!(my_item))
        .api(Access::PATIENT, routes!(complete_item))
        .api(Access::THERAPIST, routes!(set_module_state))
        .merge(super::pages::routes())
}

/// The patient's program with module and item states.
#[utoipa::path(get, path = "/api/v1/me/program", tag = "patient", security(("bearer" = [])),
    responses((status = 200, body = ProgramView), (status = 404, body = crate::error::Problem)))]
pub async fn my_program(State(state): State<AppState>, principal: Principal) -> AppResult<Json<ProgramView>> {
    let enrollment = access::own_enrollment(&state, &principal).await?;
    let program = service::program_of(&state.content, &enrollment)?;
    let progress = Progress::load(&state.db, &enrollment.id).await?;
    Ok(Json(service::program_view(program, &progress)))
}

/// An item as clients render it.
#[derive(Serialize, ToSchema)]
pub struct ItemContent {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub minutes: u32,
    pub module_id: String,
    pub state: &'static str,
    /// Pages: sanitised HTML.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audio_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audio_transcript: Option<String>,
    /// Forms: sanitised HTML above the fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intro_html: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub fields: Option<Value>,
}

/// One page, assignment or diary; opening it is recorded. 404 while locked.
#[utoipa::path(get, path = "/api/v1/me/items/{item_id}", tag = "patient", security(("bearer" = [])),
    params(("item_id" = String, Path)),
    responses((status = 200, body = ItemContent), (status = 404, body = crate::error::Problem)))]
pub async fn my_item(
    State(state): State<AppState>,
    principal: Principal,
    Path(item_id): Path<String>,
) -> AppResult<Json<ItemContent>> {
    let enrollment = access::own_enrollment(&state, &principal).await?;
    let program = service::program_of(&state.content, &enrollment)?;
    let progress = Progress::load(&state.db, &enrollment.id).await?;
    let (module, item) = service::open_item(program, &progress, &item_id, None)?;
    service::record_view(&state.db, &enrollment, module, item, state.clock.now()).await?;
    let media = |file: &Option<String>| file.as_ref().map(|f| format!("/media/{}/{f}", program.id));
    let mut view = ItemContent {
        id: item.id.clone(),
        kind: item.kind.as_str().to_string(),
        title: item.title.clone(),
        minutes: item.minutes,
        module_id: module.id.clone(),
        state: progress.item_state(module, item),
        html: None,
        audio_url: None,
        video_url: None,
        audio_transcript: None,
        intro_html: None,
        fields: None,
    };
    match &item.body {
        ItemBody::Page(page) => {
            view.html = Some(page.html.clone());
            view.audio_url = media(&page.audio);
            view.video_url = media(&page.video);
            view.audio_transcript = page.audio_transcript.clone();
        }
        ItemBody::Form(form) => {
            view.intro_html = Some(form.intro_html.clone());
            view.fields = Some(serde_json::to_value(&form.fields).map_err(|e| AppError::Internal(e.into()))?);
        }
    }
    Ok(Json(view))
}

/// Mark a page as read.
#[utoipa::path(post, path = "/api/v1/me/items/{item_id}/complete", tag = "patient", security(("bearer" = [])),
    params(("item_id" = String, Path)), responses((status = 204), (status = 404, body = crate::error::Problem)))]
pub async fn complete_item(
    State(state): State<AppState>,
    principal: Principal,
    Path(item_id): Path<String>,
) -> AppResult<StatusCode> {
    let enrollment = access::own_enrollment(&state, &principal).await?;
    service::mark_page_read(&state, &enrollment, &item_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct ModuleStateChange {
    state: ModuleState,
}

/// Lock, open or skip one of a patient's modules (their therapist).
#[utoipa::path(patch, path = "/api/v1/patients/{id}/modules/{module_id}", tag = "therapist", security(("bearer" = [])),
    params(("id" = String, Path), ("module_id" = String, Path)), request_body = ModuleStateChange,
    responses((status = 200), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn set_module_state(
    State(state): State<AppState>,
    principal: Principal,
    client: ClientInfo,
    Path((id, module_id)): Path<(String, String)>,
    AppJson(body): AppJson<ModuleStateChange>,
) -> AppResult<StatusCode> {
    let enrollment =
        access::record_for_staff(&state, &principal, &id, "patient.module_changed", &client).await?;
    super::tailoring::change_module(&state, &enrollment, &module_id, body.state).await?;
    Ok(StatusCode::OK)
}
