//! `/api/v1/auth/token`, `/api/v1/invitations/{token}/accept`, `/api/v1/me`.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::routing::{Access, Routes};
use crate::{
    accounts::Role,
    auth::{service, tokens, Credential, Principal},
    error::{AppError, AppResult},
    state::AppState,
    web::{AppJson, ClientInfo},
};
use utoipa_axum::routes;

pub fn routes() -> Routes {
    Routes::new()
        .api(Access::Public, routes!(create_token))
        .api(Access::SignedIn, routes!(revoke_token))
        .api(Access::Public, routes!(accept_invitation))
        .api(Access::SignedIn, routes!(me))
}

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    email: String,
    password: String,
    /// The authenticator code or a recovery code, when two-factor is on.
    totp: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenView {
    token: String,
    role: Role,
    user_id: String,
}

/// Log in and get a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = TokenRequest,
    responses((status = 200, body = TokenView), (status = 401, body = crate::error::Problem),
              (status = 429, body = crate::error::Problem)))]
pub async fn create_token(
    State(state): State<AppState>,
    client: ClientInfo,
    AppJson(body): AppJson<TokenRequest>,
) -> AppResult<Json<TokenView>> {
    let step =
        service::authenticate(&state, &body.email, &body.password, body.totp.as_deref(), &client).await?;
    let (token, user) = service::issue_api_token(&state, step).await?;
    let role = user.role;
    Ok(Json(TokenView { token, role, user_id: user.id }))
}

/// Revoke the token this request carries.
#[utoipa::path(delete, path = "/api/v1/auth/token", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = crate::error::Problem)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    client: ClientInfo,
    principal: Principal,
) -> AppResult<StatusCode> {
    let Credential::Bearer(token_id) = &principal.credential else { return Err(AppError::Unauthenticated) };
    tokens::revoke(&state.db, token_id).await?;
    service::record_logout(&state, &principal, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct AcceptInvitation {
    password: String,
}

#[derive(Serialize, ToSchema)]
pub struct AcceptedView {
    user_id: String,
}

/// Set the first password from an invitation.
#[utoipa::path(post, path = "/api/v1/invitations/{token}/accept", tag = "auth", request_body = AcceptInvitation,
    params(("token" = String, Path, description = "the last path segment of invitation_url")),
    responses((status = 200, body = AcceptedView), (status = 410, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
pub async fn accept_invitation(
    State(state): State<AppState>,
    client: ClientInfo,
    Path(token): Path<String>,
    AppJson(body): AppJson<AcceptInvitation>,
) -> AppResult<Json<AcceptedView>> {
    let user = service::accept_invitation(&state, &token, &body.password, &client).await?;
    Ok(Json(AcceptedView { user_id: user.id }))
}

#[derive(Serialize, ToSchema)]
pub struct MeView {
    id: String,
    email: String,
    name: String,
    role: Role,
    clinic_id: Option<String>,
    team_id: Option<String>,
    locale: String,
    totp_enabled: bool,
}

/// Who the token belongs to.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = MeView), (status = 401, body = crate::error::Problem)))]
pub async fn me(principal: Principal) -> Json<MeView> {
    let user = principal.user;
    Json(MeView {
        id: user.id,
        email: user.email,
        name: user.name,
        role: principal.role,
        clinic_id: user.clinic_id,
        team_id: user.team_id,
        locale: user.locale,
        totp_enabled: user.totp_enabled_at.is_some(),
    })
}
