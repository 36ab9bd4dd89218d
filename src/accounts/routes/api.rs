//! `/api/v1/clinics`, `/api/v1/clinics/{id}/teams`, `/api/v1/staff`.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::routing::{Access, Routes};
use crate::{
    accounts::{admin, admin::StaffInvite, Role},
    auth::Principal,
    error::AppResult,
    state::AppState,
    web::{AppJson, ClientInfo},
};
use utoipa_axum::routes;

pub fn routes() -> Routes {
    Routes::new()
        .api(Access::ADMIN, routes!(create_clinic))
        .api(Access::ADMIN, routes!(create_team))
        .api(Access::ADMIN, routes!(invite_staff))
        .api(Access::ADMIN, routes!(update_staff))
        .api(Access::ADMIN, routes!(reset_totp))
}

#[derive(Deserialize, ToSchema)]
pub struct CreateClinic {
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct ClinicCreated {
    id: String,
}

/// Create a clinic (admin).
#[utoipa::path(post, path = "/api/v1/clinics", tag = "admin", security(("bearer" = [])), request_body = CreateClinic,
    responses((status = 201, body = ClinicCreated), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
pub async fn create_clinic(
    State(state): State<AppState>,
    client: ClientInfo,
    principal: Principal,
    AppJson(body): AppJson<CreateClinic>,
) -> AppResult<(StatusCode, Json<ClinicCreated>)> {
    let clinic = admin::create_clinic(&state, &principal, &body.name, &client).await?;
    Ok((StatusCode::CREATED, Json(ClinicCreated { id: clinic.id })))
}

/// Create a team in a clinic (admin).
#[utoipa::path(post, path = "/api/v1/clinics/{clinic_id}/teams", tag = "admin", security(("bearer" = [])),
    params(("clinic_id" = String, Path)), request_body = CreateClinic,
    responses((status = 201, body = ClinicCreated), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
pub async fn create_team(
    State(state): State<AppState>,
    client: ClientInfo,
    principal: Principal,
    Path(clinic_id): Path<String>,
    AppJson(body): AppJson<CreateClinic>,
) -> AppResult<(StatusCode, Json<ClinicCreated>)> {
    let team = admin::create_team(&state, &principal, &clinic_id, &body.name, &client).await?;
    Ok((StatusCode::CREATED, Json(ClinicCreated { id: team.id })))
}

#[derive(Deserialize, ToSchema)]
pub struct InviteStaff {
    email: String,
    name: String,
    role: Role,
    clinic_id: String,
    team_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct StaffInvited {
    id: String,
    invitation_url: String,
}

/// Invite a therapist or manager (admin); the invitation is also mailed.
#[utoipa::path(post, path = "/api/v1/staff", tag = "admin", security(("bearer" = [])), request_body = InviteStaff,
    responses((status = 201, body = StaffInvited), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
pub async fn invite_staff(
    State(state): State<AppState>,
    client: ClientInfo,
    principal: Principal,
    AppJson(body): AppJson<InviteStaff>,
) -> AppResult<(StatusCode, Json<StaffInvited>)> {
    let invite = StaffInvite {
        email: &body.email,
        name: &body.name,
        role: body.role,
        clinic_id: &body.clinic_id,
        team_id: body.team_id.as_deref().filter(|t| !t.is_empty()),
    };
    let (user, invitation_url) = admin::invite_staff(&state, &principal, invite, &client).await?;
    Ok((StatusCode::CREATED, Json(StaffInvited { id: user.id, invitation_url })))
}

#[derive(Deserialize, ToSchema)]
pub struct UpdateStaff {
    role: Option<Role>,
    active: Option<bool>,
}

/// Change a staff member's role or deactivate them (admin).
#[utoipa::path(patch, path = "/api/v1/staff/{user_id}", tag = "admin", security(("bearer" = [])),
    params(("user_id" = String, Path)), request_body = UpdateStaff,
    responses((status = 204), (status = 404, body = crate::error::Problem)))]
pub async fn update_staff(
    State(state): State<AppState>,
    client: ClientInfo,
    principal: Principal,
    Path(user_id): Path<String>,
    AppJson(body): AppJson<UpdateStaff>,
) -> AppResult<StatusCode> {
    if let Some(role) = body.role {
        admin::change_role(&state, &principal, &user_id, role, &client).await?;
    }
    if let Some(active) = body.active {
        admin::set_active(&state, &principal, &user_id, active, &client).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Remove a staff member's second factor so they can set it up again (admin).
#[utoipa::path(post, path = "/api/v1/staff/{user_id}/totp-reset", tag = "admin", security(("bearer" = [])),
    params(("user_id" = String, Path)), responses((status = 204), (status = 404, body = crate::error::Problem)))]
pub async fn reset_totp(
    State(state): State<AppState>,
    client: ClientInfo,
    principal: Principal,
    Path(user_id): Path<String>,
) -> AppResult<StatusCode> {
    admin::reset_second_factor(&state, &principal, &user_id, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}
