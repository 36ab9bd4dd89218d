//! `POST/GET /api/v1/me/diaries/{diary_id}/entries` and the therapist's
//! `GET /api/v1/patients/{id}/diary-entries`.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
    Json,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::service::{self, Saved};
use crate::routing::{Access, Routes};
use crate::web::{confirmed, finish, Notice};
use crate::{
    auth::Principal,
    content::ItemKind,
    enrollment::access,
    entities::diary_entries,
    error::AppResult,
    progress::service::{self as progress, Progress},
    state::AppState,
    web::{AppForm, AppJson, ClientInfo, CsrfToken},
};
use utoipa_axum::routes;

pub fn routes() -> Routes {
    Routes::new()
        .api(Access::PATIENT, routes!(my_entries, add_entry))
        .api(Access::THERAPIST, routes!(patient_entries))
        .page(Access::PATIENT, "/items/{item_id}/entry", axum::routing::post(submit_form))
}

/// The diary form for today or yesterday.
async fn submit_form(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
    Path(item_id): Path<String>,
    AppForm(pairs): AppForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let enrollment = access::own_enrollment(&state, &principal).await?;
    let fields = crate::assignments::routes::form_fields(&state, &enrollment, &item_id)?;
    let values = crate::web::fields::answers_from_form(&fields, &pairs);
    let date = pairs.iter().find(|(k, _)| k == "date").map(|(_, v)| v.clone()).unwrap_or_default();
    if let Some(more) = crate::progress::Refused::adding_a_row(&pairs, &values, Some(date.clone())) {
        let shown = (Some(more), false);
        return crate::progress::render_item(&state, &csrf, &principal, &enrollment, &item_id, shown).await;
    }
    let saved = service::save_entry(&state, &enrollment, &item_id, &date, &values).await;
    let done = |_| async { Ok(confirmed(&format!("/items/{item_id}"), Notice::DiarySaved)) };
    let again = |errors| {
        let refused = crate::progress::Refused {
            values: values.clone(),
            errors,
            date: Some(date.clone()),
            rows_wanted: None,
        };
        crate::progress::render_item(&state, &csrf, &principal, &enrollment, &item_id, (Some(refused), false))
    };
    finish(saved, done, again).await
}

#[derive(Deserialize, ToSchema)]
pub struct EntryRequest {
    /// YYYY-MM-DD: today or yesterday.
    date: String,
    #[schema(value_type = Object)]
    values: Map<String, Value>,
}

#[derive(Serialize, ToSchema)]
pub struct EntryCreated {
    id: String,
}

/// Fill in a diary for today or yesterday (a second post for the same day
/// replaces the first: 200 instead of 201).
#[utoipa::path(post, path = "/api/v1/me/diaries/{diary_id}/entries", tag = "patient", security(("bearer" = [])),
    params(("diary_id" = String, Path)), request_body = EntryRequest,
    responses((status = 201, body = EntryCreated), (status = 200, body = EntryCreated),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn add_entry(
    State(state): State<AppState>,
    principal: Principal,
    Path(diary_id): Path<String>,
    AppJson(body): AppJson<EntryRequest>,
) -> AppResult<(StatusCode, Json<EntryCreated>)> {
    let enrollment = access::own_enrollment(&state, &principal).await?;
    match service::save_entry(&state, &enrollment, &diary_id, &body.date, &body.values).await? {
        Saved::Created(id) => Ok((StatusCode::CREATED, Json(EntryCreated { id }))),
        Saved::Updated(id) => Ok((StatusCode::OK, Json(EntryCreated { id }))),
    }
}

#[derive(Serialize, ToSchema)]
pub struct EntryView {
    id: String,
    diary_id: String,
    date: NaiveDate,
    #[schema(value_type = Object)]
    values: Value,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<diary_entries::Model> for EntryView {
    fn from(e: diary_entries::Model) -> Self {
        EntryView {
            values: serde_json::from_str(&e.entry_values).unwrap_or(Value::Null),
            id: e.id,
            diary_id: e.diary_id,
            date: e.entry_date,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EntryList {
    entries: Vec<EntryView>,
}

/// The patient's entries in one diary, newest first.
#[utoipa::path(get, path = "/api/v1/me/diaries/{diary_id}/entries", tag = "patient", security(("bearer" = [])),
    params(("diary_id" = String, Path)), responses((status = 200, body = EntryList), (status = 404, body = crate::error::Problem)))]
pub async fn my_entries(
    State(state): State<AppState>,
    principal: Principal,
    Path(diary_id): Path<String>,
) -> AppResult<Json<EntryList>> {
    let enrollment = access::own_enrollment(&state, &principal).await?;
    let program = progress::program_of(&state.content, &enrollment)?;
    let current = Progress::load(&state.db, &enrollment.id).await?;
    progress::open_item(program, &current, &diary_id, Some(ItemKind::Diary))?;
    let entries = service::entries(&state.db, &enrollment.id, Some(&diary_id), Some(366)).await?;
    Ok(Json(EntryList { entries: entries.into_iter().map(EntryView::from).collect() }))
}

/// A patient's diary entries (their therapist).
#[utoipa::path(get, path = "/api/v1/patients/{id}/diary-entries", tag = "therapist", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = EntryList), (status = 404, body = crate::error::Problem)))]
pub async fn patient_entries(
    State(state): State<AppState>,
    principal: Principal,
    client: ClientInfo,
    Path(id): Path<String>,
) -> AppResult<Json<EntryList>> {
    let enrollment =
        access::record_for_staff(&state, &principal, &id, "patient.diaries_viewed", &client).await?;
    let entries = service::entries(&state.db, &enrollment.id, None, Some(1000)).await?;
    Ok(Json(EntryList { entries: entries.into_iter().map(EntryView::from).collect() }))
}
