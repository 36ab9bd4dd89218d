//! Logging in (password, then a second factor when needed) and out.

use axum::{
    extract::{Query, State},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;

use super::{landing_page, safe_next};
use crate::routing::{Access, Routes};
use crate::{
    accounts::Role,
    auth::{
        cookies, service,
        service::LoginStep,
        sessions::{self, Stage},
        totp, Credential, PendingLogin, Principal,
    },
    error::{AppError, AppResult},
    state::AppState,
    web::{page, AppForm, ClientInfo, CsrfToken, Lang},
};
use crate::{
    error::FieldErrors,
    web::{confirmed, finish, Notice},
};

pub fn routes() -> Routes {
    Routes::new()
        .page(Access::Public, "/login", get(login_page).post(login))
        .page(Access::PendingLogin, "/login/code", get(code_page).post(submit_code))
        .page(Access::PendingLogin, "/login/setup-2fa", get(setup_page).post(submit_setup))
        .page(Access::SignedIn, "/logout", post(logout))
}

#[derive(Deserialize, Default)]
struct NextQuery {
    next: Option<String>,
    /// Set when a form met an ended session and what was typed is kept.
    kept: Option<String>,
}

/// The login form; someone already logged in goes on to where they were
/// headed, or to their own main page.
async fn login_page(
    State(state): State<AppState>,
    lang: Lang,
    csrf: CsrfToken,
    principal: Result<Principal, AppError>,
    Query(query): Query<NextQuery>,
) -> AppResult<Response> {
    let next = safe_next(query.next.as_deref());
    if let Ok(principal) = principal {
        let to = next.unwrap_or_else(|| landing_page(principal.role).to_string());
        return Ok(Redirect::to(&to).into_response());
    }
    let mut context = page::context(None, &csrf);
    context.insert("next", &next);
    context.insert("kept", &query.kept.is_some());
    context.insert("idle_minutes", &state.settings.auth.session_idle.num_minutes());
    Ok(state.views.render("auth/login.html", lang, context)?.into_response())
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    lang: Lang,
    csrf: CsrfToken,
    client: ClientInfo,
    AppForm(form): AppForm<LoginForm>,
) -> AppResult<Response> {
    let step = match service::authenticate(&state, &form.email, &form.password, None, &client).await {
        Ok(step) => step,
        Err(AppError::Unauthenticated) => {
            let mut context = page::context(None, &csrf);
            context.insert("email", &form.email);
            context.insert("next", &safe_next(form.next.as_deref()));
            context.insert("error", "login-failed");
            let page = state.views.render("auth/login.html", lang, context)?;
            return Ok((axum::http::StatusCode::UNAUTHORIZED, page).into_response());
        }
        Err(other) => return Err(other),
    };
    let next = safe_next(form.next.as_deref());
    let (user, stage, target) = match step {
        LoginStep::Done(user) => {
            let role: Role = user.role;
            let target = next.unwrap_or_else(|| landing_page(role).to_string());
            (user, Stage::Full, target)
        }
        LoginStep::TotpRequired(user) => (user, Stage::Totp, "/login/code".to_string()),
        LoginStep::TotpSetupRequired(user) => (user, Stage::TotpSetup, "/login/setup-2fa".to_string()),
    };
    let secret =
        sessions::start(&state.db, &user.id, stage, &client, &state.settings.auth, state.clock.now()).await?;
    let mut response = Redirect::to(&target).into_response();
    cookies::start_browser_session(&state, &mut response, secret);
    Ok(response)
}

async fn code_page(
    State(state): State<AppState>,
    lang: Lang,
    csrf: CsrfToken,
    pending: PendingLogin,
) -> AppResult<Response> {
    if pending.stage != Stage::Totp {
        return Ok(Redirect::to("/login/setup-2fa").into_response());
    }
    Ok(state.views.render("auth/code.html", lang, page::context(None, &csrf))?.into_response())
}

#[derive(Deserialize)]
struct CodeForm {
    code: String,
}

async fn submit_code(
    State(state): State<AppState>,
    lang: Lang,
    csrf: CsrfToken,
    client: ClientInfo,
    pending: PendingLogin,
    AppForm(form): AppForm<CodeForm>,
) -> AppResult<Response> {
    if pending.stage != Stage::Totp {
        return Err(AppError::Unauthenticated);
    }
    // Any refusal other than a wrong code (a throttled attempt, say) must
    // end here too: only a verified code upgrades the session.
    let verified = service::complete_totp(&state, &pending.user, &form.code, &client).await;
    let (state, csrf) = (&state, &csrf);
    let again = |errors: FieldErrors| async move {
        let mut context = page::context(None, csrf);
        context.insert("errors", &errors);
        Ok(state.views.render("auth/code.html", lang, context)?.into_response())
    };
    finish(verified, |()| upgrade_session(state, &pending, &client), again).await
}

/// Replaces the half-way session with a full one under a new id.
async fn upgrade_session(
    state: &AppState,
    pending: &PendingLogin,
    client: &ClientInfo,
) -> AppResult<Response> {
    sessions::end(&state.db, &pending.secret).await?;
    let now = state.clock.now();
    let secret =
        sessions::start(&state.db, &pending.user.id, Stage::Full, client, &state.settings.auth, now).await?;
    let role: Role = pending.user.role;
    let mut response = Redirect::to(landing_page(role)).into_response();
    cookies::start_browser_session(state, &mut response, secret);
    Ok(response)
}

async fn setup_page(
    State(state): State<AppState>,
    lang: Lang,
    csrf: CsrfToken,
    pending: PendingLogin,
) -> AppResult<Response> {
    if pending.stage != Stage::TotpSetup {
        return Ok(Redirect::to("/login/code").into_response());
    }
    let secret = totp::new_secret();
    let mut context = page::context(None, &csrf);
    insert_setup(&mut context, &secret, &pending.user.email)?;
    Ok(state.views.render("auth/setup_2fa.html", lang, context)?.into_response())
}

/// Puts the QR code, the secret and its URL in a set-up page's context.
pub(super) fn insert_setup(context: &mut tera::Context, secret: &str, email: &str) -> AppResult<()> {
    let url = totp::provisioning_url(secret, email)?;
    context.insert("secret", secret);
    context.insert("qr_svg", &totp::qr_svg(&url)?);
    Ok(())
}

#[derive(Deserialize)]
pub(super) struct SetupForm {
    pub secret: String,
    pub code: String,
}

async fn submit_setup(
    State(state): State<AppState>,
    lang: Lang,
    csrf: CsrfToken,
    client: ClientInfo,
    pending: PendingLogin,
    AppForm(form): AppForm<SetupForm>,
) -> AppResult<Response> {
    if pending.stage != Stage::TotpSetup {
        return Err(AppError::Unauthenticated);
    }
    let role: Role = pending.user.role;
    let enabled =
        service::enable_second_factor(&state, &pending.user, role, &form.secret, &form.code, &client).await;
    let (state, csrf, pending, client) = (&state, &csrf, &pending, &client);
    let show_codes = |codes: Vec<String>| async move {
        let mut response = upgrade_session(state, pending, client).await?;
        // Show the recovery codes once, on the page the redirect would
        // have led to; they are never stored in the clear.
        let mut context = page::context(None, csrf);
        context.insert("codes", &codes);
        context.insert("continue_to", landing_page(role));
        let page = state.views.render("auth/recovery_codes.html", lang, context)?;
        let (parts, _) = std::mem::take(&mut response).into_parts();
        let mut shown = page.into_response();
        for cookie in parts.headers.get_all(axum::http::header::SET_COOKIE) {
            shown.headers_mut().append(axum::http::header::SET_COOKIE, cookie.clone());
        }
        Ok(shown)
    };
    let again = |errors: FieldErrors| async move {
        let mut context = page::context(None, csrf);
        insert_setup(&mut context, &form.secret, &pending.user.email)?;
        context.insert("errors", &errors);
        Ok(state.views.render("auth/setup_2fa.html", lang, context)?.into_response())
    };
    finish(enabled, show_codes, again).await
}

async fn logout(
    State(state): State<AppState>,
    client: ClientInfo,
    principal: Principal,
) -> AppResult<Response> {
    if let Credential::Session(secret) = &principal.credential {
        sessions::end(&state.db, secret).await?;
    }
    service::record_logout(&state, &principal, &client).await?;
    let mut response = confirmed("/login", Notice::LoggedOut);
    cookies::clear_session_cookie(&state, &mut response);
    cookies::remember_language(&state, &mut response, principal.lang());
    Ok(response)
}
