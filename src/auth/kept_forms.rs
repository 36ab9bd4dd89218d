//! Typing is never lost to an ended session. A form posted after the idle or
//! absolute limit is kept (for the person whose session it was, for two
//! hours), the browser goes to the login page, and once that same person has
//! logged in again the form's page opens with what they typed filled in.
//!
//! The browser holds only a random secret (cookie `icbt_kept`); the text is
//! in the database, never in a URL or a log. Someone else logging in on the
//! same browser gets nothing back: the kept form is bound to its writer.

use axum::{
    body::{to_bytes, Body},
    extract::{FromRequestParts, Request, State},
    http::{header, request::Parts, HeaderValue, Method},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::{sessions, Principal};
use crate::{entities::kept_forms, error::AppResult, ids, state::AppState, web::CSRF_FIELD};

pub const KEPT_COOKIE: &str = "icbt_kept";
/// The hidden field every form carries with the page it is on; no content
/// field id can be spelt so.
pub const FROM_FIELD: &str = "@page";
const KEPT_FOR: Duration = Duration::hours(2);

/// For a form posted to a page: whose session the browser holds, ended or
/// not. Asked before the session is checked, since an ended one is deleted
/// when it is found to have ended.
pub async fn form_poster(state: &AppState, parts: &Parts) -> Option<(String, String)> {
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if parts.method != Method::POST || !is_form || parts.uri.path().starts_with("/api/") {
        return None;
    }
    let jar = CookieJar::from_headers(&parts.headers);
    let secret = jar.get(sessions::SESSION_COOKIE)?.value().to_string();
    let owner = sessions::owner(&state.db, &secret).await.ok()??;
    Some((owner, secret))
}

/// A posted form whose session had ended: kept for its writer, and the
/// browser sent to log in again (then back to the form's page). `None` when
/// there is no page to return to.
pub async fn keep_refused_post(
    state: &AppState,
    parts: &Parts,
    body: Body,
    (owner, secret): (String, String),
) -> Option<Response> {
    let bytes = to_bytes(body, state.settings.server.body_limit_bytes).await.ok()?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).ok()?;
    let return_to = pairs.iter().find(|(k, _)| k == FROM_FIELD).map(|(_, v)| v.clone())?;
    let return_to = super::routes::safe_next(Some(&return_to))?;
    let fields: Vec<_> = pairs.into_iter().filter(|(k, _)| k != CSRF_FIELD && k != FROM_FIELD).collect();
    let action = parts.uri.path().to_string();
    let now = state.clock.now();
    let kept = keep(&state.db, &owner, &action, &return_to, &fields, now).await.ok()?;
    // The old session is over for good; its row goes now.
    sessions::end(&state.db, &secret).await.ok()?;
    let login = format!("/login?kept=1&next={}", urlencoded(&return_to));
    let mut response = Redirect::to(&login).into_response();
    set_cookie(&mut response, state, kept, KEPT_FOR);
    Some(response)
}

async fn keep(
    db: &impl ConnectionTrait,
    user_id: &str,
    action: &str,
    return_to: &str,
    fields: &[(String, String)],
    now: DateTime<Utc>,
) -> AppResult<String> {
    kept_forms::Entity::delete_many().filter(kept_forms::Column::ExpiresAt.lte(now)).exec(db).await?;
    let secret = ids::new_secret();
    let row = kept_forms::ActiveModel {
        id: Set(ids::secret_digest(&secret)),
        user_id: Set(user_id.to_string()),
        action: Set(action.to_string()),
        return_to: Set(return_to.to_string()),
        fields: Set(serde_json::to_string(fields).unwrap_or_default()),
        expires_at: Set(now + KEPT_FOR),
    };
    kept_forms::Entity::insert(row).exec(db).await?;
    Ok(secret)
}

/// The kept form for this browser, if `user_id` wrote it; taken (deleted)
/// either way, so it is shown once and never to anyone else.
async fn take(
    db: &impl ConnectionTrait,
    secret: &str,
    user_id: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<kept_forms::Model>> {
    let id = ids::secret_digest(secret);
    let Some(kept) = kept_forms::Entity::find_by_id(id.clone()).one(db).await? else { return Ok(None) };
    kept_forms::Entity::delete_by_id(id).exec(db).await?;
    Ok((kept.user_id == user_id && kept.expires_at > now).then_some(kept))
}

/// On the first page its writer opens after logging in again: the page the
/// form was on gets the kept text back in its fields.
pub async fn restore_kept_form(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let secret = CookieJar::from_headers(request.headers()).get(KEPT_COOKIE).map(|c| c.value().to_string());
    let Some(secret) = secret.filter(|_| request.method() == Method::GET) else {
        return next.run(request).await;
    };
    let path = request.uri().path_and_query().map_or("/", |p| p.as_str()).to_string();
    let (mut parts, body) = request.into_parts();
    let Ok(principal) = Principal::from_request_parts(&mut parts, &state).await else {
        // Not logged in yet: the kept form waits.
        return next.run(Request::from_parts(parts, body)).await;
    };
    let lang = principal.lang();
    let response = next.run(Request::from_parts(parts, body)).await;
    let kept = match take(&state.db, &secret, principal.id(), state.clock.now()).await {
        Ok(kept) => kept,
        Err(e) => return e.into_response(),
    };
    let mut response = match kept.filter(|k| k.return_to == path && response.status().is_success()) {
        Some(kept) => refill(response, &kept, &state.views.text(lang, "kept-restored")).await,
        None => response,
    };
    set_cookie(&mut response, &state, String::new(), Duration::zero());
    response
}

async fn refill(response: Response, kept: &kept_forms::Model, notice: &str) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let fields: Vec<(String, String)> = serde_json::from_str(&kept.fields).unwrap_or_default();
    let html = String::from_utf8_lossy(&bytes);
    let filled = crate::web::refill::refill_form(&html, &kept.action, &fields, notice)
        .unwrap_or_else(|_| html.into_owned());
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_ENCODING);
    Response::from_parts(parts, Body::from(filled))
}

fn set_cookie(response: &mut Response, state: &AppState, value: String, max_age: Duration) {
    let max_age = time::Duration::seconds(max_age.num_seconds());
    let cookie = Cookie::build((KEPT_COOKIE, value))
        .path("/")
        .http_only(true)
        .secure(state.settings.secure_cookies())
        .same_site(SameSite::Lax)
        .max_age(max_age)
        .build();
    if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

fn urlencoded(path: &str) -> String {
    serde_urlencoded::to_string([("", path)])
        .map(|s| s.trim_start_matches('=').to_string())
        .unwrap_or_default()
}
