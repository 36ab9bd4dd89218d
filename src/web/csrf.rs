//! CSRF protection for every state-changing HTML request: a random token in an
//! HttpOnly, SameSite=Strict cookie must come back in the form field `csrf` (or
//! the `X-CSRF-Token` header, for progressive-enhancement scripts). The JSON
//! API is exempt: it accepts only bearer tokens, never cookies.

use axum::{
    body::{to_bytes, Body},
    extract::{FromRequestParts, Request, State},
    http::{header, request::Parts, HeaderValue, Method},
    middleware::Next,
    response::{IntoResponse, Response},
};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use subtle::ConstantTimeEq;

use crate::{error::AppError, ids, state::AppState};

pub const CSRF_COOKIE: &str = "icbt_csrf";
pub const CSRF_FIELD: &str = "csrf";
const CSRF_HEADER: &str = "x-csrf-token";

/// The token to put in forms rendered for this request.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CsrfToken>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("csrf_protect layer missing")))
    }
}

/// Issues the cookie when missing and checks the token on unsafe methods.
pub async fn csrf_protect(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    let jar = CookieJar::from_headers(request.headers());
    let existing = jar.get(CSRF_COOKIE).map(|c| c.value().to_string()).filter(|v| v.len() == 64);
    let unsafe_method = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method {
        let Some(expected) = existing.as_deref() else { return AppError::Forbidden.into_response() };
        let (parts, body) = request.into_parts();
        let limit = state.settings.server.body_limit_bytes;
        let bytes = match to_bytes(body, limit).await {
            Ok(bytes) => bytes,
            Err(_) => return AppError::PayloadTooLarge.into_response(),
        };
        let sent = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .or_else(|| form_field(&parts.headers, &bytes, CSRF_FIELD));
        let matches = sent.is_some_and(|sent| bool::from(sent.as_bytes().ct_eq(expected.as_bytes())));
        if !matches {
            tracing::warn!("refused a form without a valid CSRF token");
            return AppError::Forbidden.into_response();
        }
        request = Request::from_parts(parts, Body::from(bytes));
    }
    let token = existing.clone().unwrap_or_else(ids::new_secret);
    request.extensions_mut().insert(CsrfToken(token.clone()));
    let mut response = next.run(request).await;
    if existing.is_none() {
        set_csrf_cookie(&mut response, token, state.settings.secure_cookies());
    }
    response
}

/// Sets a fresh token (at login, so a token seen before login is worthless after).
pub fn set_csrf_cookie(response: &mut Response, token: String, secure: bool) {
    let cookie = Cookie::build((CSRF_COOKIE, token))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .build();
    if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

fn form_field(headers: &axum::http::HeaderMap, body: &[u8], name: &str) -> Option<String> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return None;
    }
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
}
