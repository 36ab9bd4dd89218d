//! The account page: password, language, sessions and the second factor.

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::{Deserialize, Serialize};

use super::login::{insert_setup, SetupForm};
use crate::routing::{Access, Routes};
use crate::web::{confirmed, finish, Notice};
use crate::{
    accounts::time_zone,
    audit,
    auth::{cookies, service, sessions, totp, Credential, Principal},
    error::{AppError, AppResult, FieldErrors},
    state::AppState,
    web::{local_time, page, AppForm, ClientInfo, CsrfToken, Lang},
};

pub fn routes() -> Routes {
    Routes::new()
        .page(Access::SignedIn, "/account", get(account_page))
        .page(Access::SignedIn, "/account/password", post(change_password))
        .page(Access::SignedIn, "/account/language", post(change_language))
        .page(Access::SignedIn, "/account/timezone", post(change_time_zone))
        .page(Access::SignedIn, "/account/sessions/end-all", post(end_all_sessions))
        .page(Access::SignedIn, "/session/keep-alive", post(keep_alive))
        .page(Access::SignedIn, "/account/2fa", get(two_factor_page).post(enable_two_factor))
}

#[derive(Serialize)]
struct SessionView {
    started: String,
    last_seen: String,
    ip: Option<String>,
    device: Option<String>,
    current: bool,
}

async fn account_page(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
) -> AppResult<Response> {
    render_account(&state, &csrf, &principal, None).await
}

async fn render_account(
    state: &AppState,
    csrf: &CsrfToken,
    principal: &Principal,
    errors: Option<FieldErrors>,
) -> AppResult<Response> {
    let current = match &principal.credential {
        Credential::Session(secret) => Some(crate::ids::secret_digest(secret)),
        Credential::Bearer(_) => None,
    };
    let sessions: Vec<SessionView> = sessions::list(&state.db, principal.id())
        .await?
        .into_iter()
        .map(|s| SessionView {
            started: local_time::instant(s.created_at, principal.timezone, principal.lang()),
            last_seen: local_time::instant(s.last_seen_at, principal.timezone, principal.lang()),
            current: current.as_deref() == Some(s.id.as_str()),
            ip: s.ip,
            device: s.user_agent,
        })
        .collect();
    let mut context = page::context(Some(principal), csrf);
    context.insert("email", &principal.user.email);
    context.insert("role", principal.role.as_str());
    context.insert("locale", &principal.user.locale);
    context.insert("own_zone", &principal.user.timezone);
    context.insert("zones", &local_time::zone_options());
    let clinic_zone = match principal.clinic_id() {
        Some(clinic) => time_zone::clinic_zone(&state.db, clinic, state.settings.care.timezone).await?,
        None => state.settings.care.timezone,
    };
    context.insert("clinic_zone", clinic_zone.name());
    context.insert("sessions", &sessions);
    context.insert("totp_enabled", &principal.user.totp_enabled_at.is_some());
    context.insert("is_staff", &principal.role.is_staff());
    let status = if errors.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    context.insert("errors", &errors);
    Ok((status, state.views.render("auth/account.html", principal.lang(), context)?).into_response())
}

#[derive(Deserialize)]
struct PasswordChange {
    current_password: String,
    new_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    csrf: CsrfToken,
    client: ClientInfo,
    principal: Principal,
    AppForm(form): AppForm<PasswordChange>,
) -> AppResult<Response> {
    let result = service::change_password(
        &state,
        &principal.user,
        principal.role,
        &form.current_password,
        &form.new_password,
        &client,
    )
    .await;
    let carry_on = |()| async {
        // Every session ended; this browser carries on under a new one.
        let now = state.clock.now();
        let secret = sessions::start(
            &state.db,
            principal.id(),
            sessions::Stage::Full,
            &client,
            &state.settings.auth,
            now,
        )
        .await?;
        let mut response = confirmed("/account", Notice::PasswordChanged);
        cookies::start_browser_session(&state, &mut response, secret);
        Ok(response)
    };
    finish(result, carry_on, |errors| render_account(&state, &csrf, &principal, Some(errors))).await
}

#[derive(Deserialize)]
struct LanguageForm {
    locale: String,
}

async fn change_language(
    State(state): State<AppState>,
    principal: Principal,
    AppForm(form): AppForm<LanguageForm>,
) -> AppResult<Response> {
    let lang = Lang::from_code(&form.locale)
        .ok_or_else(|| AppError::field("locale", "Choose English or Nederlands."))?;
    crate::accounts::service::set_locale(&state.db, principal.id(), lang, state.clock.now()).await?;
    Ok(confirmed("/account", Notice::LanguageChanged))
}

#[derive(Deserialize)]
struct TimeZoneForm {
    timezone: String,
}

async fn change_time_zone(
    State(state): State<AppState>,
    principal: Principal,
    AppForm(form): AppForm<TimeZoneForm>,
) -> AppResult<Response> {
    let zone = time_zone::parse_choice("timezone", &form.timezone)?;
    time_zone::set_own_zone(&state.db, principal.id(), zone, state.clock.now()).await?;
    Ok(confirmed("/account", Notice::TimeZoneChanged))
}

#[derive(Serialize)]
struct SessionEnd {
    ends_at: Option<chrono::DateTime<chrono::Utc>>,
    seconds_left: Option<i64>,
}

/// "Stay logged in": using the session is what keeps it; this says until when.
async fn keep_alive(principal: Principal) -> axum::Json<SessionEnd> {
    axum::Json(SessionEnd {
        ends_at: principal.session_ends_at,
        seconds_left: principal.session_seconds_left,
    })
}

async fn end_all_sessions(
    State(state): State<AppState>,
    client: ClientInfo,
    principal: Principal,
) -> AppResult<Response> {
    sessions::end_all(&state.db, principal.id()).await?;
    audit::record(&state.db, principal.audit("sessions.ended_all"), &client, state.clock.now()).await?;
    let mut response = confirmed("/login", Notice::SessionsEnded);
    cookies::clear_session_cookie(&state, &mut response);
    cookies::remember_language(&state, &mut response, principal.lang());
    Ok(response)
}

async fn two_factor_page(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
) -> AppResult<Response> {
    if principal.user.totp_enabled_at.is_some() {
        return Ok(Redirect::to("/account").into_response());
    }
    let mut context = page::context(Some(&principal), &csrf);
    insert_setup(&mut context, &totp::new_secret(), &principal.user.email)?;
    context.insert("from_account", &true);
    Ok(state.views.render("auth/setup_2fa.html", principal.lang(), context)?.into_response())
}

async fn enable_two_factor(
    State(state): State<AppState>,
    csrf: CsrfToken,
    client: ClientInfo,
    principal: Principal,
    AppForm(form): AppForm<SetupForm>,
) -> AppResult<Response> {
    if principal.user.totp_enabled_at.is_some() {
        return Err(AppError::Conflict("two-factor authentication is already on".into()));
    }
    let result = service::enable_second_factor(
        &state,
        &principal.user,
        principal.role,
        &form.secret,
        &form.code,
        &client,
    )
    .await;
    let (state, principal, csrf) = (&state, &principal, &csrf);
    let show_codes = |codes: Vec<String>| async move {
        let mut context = page::context(Some(principal), csrf);
        context.insert("codes", &codes);
        context.insert("continue_to", "/account");
        Ok(state.views.render("auth/recovery_codes.html", principal.lang(), context)?.into_response())
    };
    let again = |errors: FieldErrors| async move {
        let mut context = page::context(Some(principal), csrf);
        insert_setup(&mut context, &form.secret, &principal.user.email)?;
        context.insert("from_account", &true);
        context.insert("errors", &errors);
        Ok(state.views.render("auth/setup_2fa.html", principal.lang(), context)?.into_response())
    };
    finish(result, show_codes, again).await
}
