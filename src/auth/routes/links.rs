//! The pages behind mailed links: accepting an invitation, and forgotten and
//! reset passwords.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{Html, IntoResponse, Redirect, Response},
    routing::get,
};
use serde::Deserialize;

use super::landing_page;
use crate::routing::{Access, Routes};
use crate::web::finish;
use crate::{
    accounts::Role,
    auth::{
        cookies,
        links::{self, Purpose},
        service,
        sessions::{self, Stage},
    },
    error::{AppResult, FieldErrors},
    state::AppState,
    web::{page, AppForm, ClientInfo, CsrfToken, Lang},
};

pub fn routes() -> Routes {
    Routes::new()
        .page(Access::Public, "/invitations/{token}", get(invitation_page).post(accept_invitation))
        .page(Access::Public, "/password/forgot", get(forgot_page).post(forgot))
        .page(Access::Public, "/password/reset/{token}", get(reset_page).post(reset))
}

async fn invitation_page(
    State(state): State<AppState>,
    lang: Lang,
    csrf: CsrfToken,
    Path(token): Path<String>,
) -> AppResult<Response> {
    set_password_page(&state, lang, &csrf, &token, Purpose::Invitation, None).await
}

async fn reset_page(
    State(state): State<AppState>,
    lang: Lang,
    csrf: CsrfToken,
    Path(token): Path<String>,
) -> AppResult<Response> {
    set_password_page(&state, lang, &csrf, &token, Purpose::PasswordReset, None).await
}

/// The "choose your password" page of a live link; 422 with the field
/// messages when a chosen password was refused.
async fn set_password_page(
    state: &AppState,
    lang: Lang,
    csrf: &CsrfToken,
    token: &str,
    purpose: Purpose,
    errors: Option<FieldErrors>,
) -> AppResult<Response> {
    let (_, user) = links::peek(&state.db, token, purpose, state.clock.now()).await?;
    let mut context = page::context(None, csrf);
    context.insert("name", &user.name);
    context.insert("email", &user.email);
    context.insert("purpose", if purpose == Purpose::Invitation { "invitation" } else { "reset" });
    let status = if errors.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    context.insert("errors", &errors);
    Ok((status, state.views.render("auth/set_password.html", lang, context)?).into_response())
}

#[derive(Deserialize)]
struct PasswordForm {
    password: String,
}

async fn accept_invitation(
    State(state): State<AppState>,
    lang: Lang,
    csrf: CsrfToken,
    client: ClientInfo,
    Path(token): Path<String>,
    AppForm(form): AppForm<PasswordForm>,
) -> AppResult<Response> {
    let accepted = service::accept_invitation(&state, &token, &form.password, &client).await;
    finish_link(&state, lang, &csrf, &client, &token, Purpose::Invitation, accepted).await
}

async fn reset(
    State(state): State<AppState>,
    lang: Lang,
    csrf: CsrfToken,
    client: ClientInfo,
    Path(token): Path<String>,
    AppForm(form): AppForm<PasswordForm>,
) -> AppResult<Response> {
    let reset = service::reset_password(&state, &token, &form.password, &client).await;
    finish_link(&state, lang, &csrf, &client, &token, Purpose::PasswordReset, reset).await
}

/// A password set from a link: logged in, or the page again with the errors.
async fn finish_link(
    state: &AppState,
    lang: Lang,
    csrf: &CsrfToken,
    client: &ClientInfo,
    token: &str,
    purpose: Purpose,
    result: AppResult<crate::entities::users::Model>,
) -> AppResult<Response> {
    let again = |errors| set_password_page(state, lang, csrf, token, purpose, Some(errors));
    finish(result, |user| async move { log_in_after_link(state, &user, client).await }, again).await
}

/// A new password set from a link logs the user straight in, unless a second
/// factor is on: then they log in normally.
async fn log_in_after_link(
    state: &AppState,
    user: &crate::entities::users::Model,
    client: &ClientInfo,
) -> AppResult<Response> {
    if user.totp_enabled_at.is_some() {
        return Ok(Redirect::to("/login").into_response());
    }
    let role: Role = user.role;
    let now = state.clock.now();
    let secret = sessions::start(&state.db, &user.id, Stage::Full, client, &state.settings.auth, now).await?;
    let mut response = Redirect::to(landing_page(role)).into_response();
    cookies::start_browser_session(state, &mut response, secret);
    Ok(response)
}

async fn forgot_page(State(state): State<AppState>, lang: Lang, csrf: CsrfToken) -> AppResult<Html<String>> {
    state.views.render("auth/forgot.html", lang, page::context(None, &csrf))
}

#[derive(Deserialize)]
struct ForgotForm {
    email: String,
}

async fn forgot(
    State(state): State<AppState>,
    lang: Lang,
    csrf: CsrfToken,
    client: ClientInfo,
    AppForm(form): AppForm<ForgotForm>,
) -> AppResult<Html<String>> {
    service::request_password_reset(&state, &form.email, &client).await?;
    let mut context = page::context(None, &csrf);
    context.insert("sent", &true);
    state.views.render("auth/forgot.html", lang, context)
}
