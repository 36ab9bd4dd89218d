//! `/api/v1/clinics/{clinic_id}/retention` and `/api/v1/clinics/{clinic_id}/erasures`
//! (administrators). The clinic page offers the same as forms.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use serde::Deserialize;
use utoipa::ToSchema;

use super::erasure::{self, Erasure};
use crate::routing::{Access, Routes};
use crate::{
    auth::Principal,
    error::AppResult,
    state::AppState,
    web::{AppJson, ClientInfo},
};
use utoipa_axum::routes;

pub fn routes() -> Routes {
    Routes::new().api(Access::ADMIN, routes!(set_retention)).api(Access::ADMIN, routes!(erase_patient))
}

#[derive(Deserialize, ToSchema)]
pub struct Retention {
    /// Months after a patient's last treatment ended before the record is
    /// erased (1 to 1200); null keeps records until erased by hand.
    months: Option<i32>,
}

/// Set how long the clinic keeps patient records after treatment (admin).
#[utoipa::path(put, path = "/api/v1/clinics/{clinic_id}/retention", tag = "admin", security(("bearer" = [])),
    params(("clinic_id" = String, Path)), request_body = Retention,
    responses((status = 204), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
pub async fn set_retention(
    State(state): State<AppState>,
    client: ClientInfo,
    principal: Principal,
    Path(clinic_id): Path<String>,
    AppJson(body): AppJson<Retention>,
) -> AppResult<StatusCode> {
    erasure::set_retention(&state, &principal, &clinic_id, body.months, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct ErasureRequest {
    /// The e-mail address of a patient enrolled in this clinic.
    email: String,
}

/// Erase a patient of the clinic: account and clinical content (admin).
#[utoipa::path(post, path = "/api/v1/clinics/{clinic_id}/erasures", tag = "admin", security(("bearer" = [])),
    params(("clinic_id" = String, Path)), request_body = ErasureRequest,
    responses((status = 200, body = Erasure), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
pub async fn erase_patient(
    State(state): State<AppState>,
    client: ClientInfo,
    principal: Principal,
    Path(clinic_id): Path<String>,
    AppJson(body): AppJson<ErasureRequest>,
) -> AppResult<Json<Erasure>> {
    Ok(Json(erasure::erase_patient(&state, &principal, &clinic_id, &body.email, &client).await?))
}
