//! Response layers shared by every route.

use axum::{
    extract::{Request, State},
    http::{header, HeaderName, HeaderValue},
    middleware::Next,
    response::{IntoResponse, Response},
};
use tera::Context;

use axum::extract::FromRequestParts;

use super::{CsrfToken, Lang};
use crate::{
    auth::Principal,
    error::{AppError, Problem},
    state::AppState,
};

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   media-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
                   frame-ancestors 'none'";

/// Security headers from DESIGN.md on every response. Dynamic answers default
/// to `no-store`: clinical pages must not linger in shared caches or history.
pub async fn security_headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let fixed = [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=()"),
        (HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if !state.settings.is_development() {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    response
}

/// Refuses, before any handler, a URL whose text no record holds and the
/// databases cannot store (PostgreSQL fails on a NUL): a path with `%00` or
/// with bytes that are not UTF-8 gets 404 (no id is like that), a query
/// parameter with `%00` a 422 naming it.
pub async fn refuse_unstorable_urls(request: Request, next: Next) -> Response {
    let uri = request.uri();
    let storable = String::from_utf8(percent_decoded(uri.path())).is_ok_and(|path| !path.contains('\0'));
    if !storable {
        return AppError::NotFound.into_response();
    }
    for pair in uri.query().unwrap_or_default().split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let [name, value] = [name, value]
            .map(|text| String::from_utf8_lossy(&percent_decoded(&text.replace('+', " "))).into_owned());
        if name.contains('\0') || value.contains('\0') {
            let name = if name.contains('\0') { "query".to_string() } else { name };
            return AppError::field(&name, "Use text without NUL characters (%00).").into_response();
        }
    }
    next.run(request).await
}

/// `%XX` escapes decoded; anything else as it is.
fn percent_decoded(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let hex = |at: usize| bytes.get(at).and_then(|b| (*b as char).to_digit(16));
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        match (bytes[at], hex(at + 1), hex(at + 2)) {
            (b'%', Some(high), Some(low)) => {
                decoded.push((high * 16 + low) as u8);
                at += 3;
            }
            (byte, _, _) => {
                decoded.push(byte);
                at += 1;
            }
        }
    }
    decoded
}

/// Browsers get a page for an error; the API and the operations endpoints keep
/// their problem+json.
pub async fn error_pages(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let is_api = path.starts_with("/api/") || matches!(path, "/healthz" | "/readyz" | "/metrics");
    let login_redirect = (request.method() == axum::http::Method::GET).then(|| {
        format!("/login?next={}", urlencode(request.uri().path_and_query().map_or("/", |p| p.as_str())))
    });
    let lang =
        request.extensions().get::<Lang>().copied().unwrap_or_else(|| Lang::from_headers(request.headers()));
    let cookies = request.headers().get(header::COOKIE).cloned();
    let response = next.run(request).await;
    if is_api {
        return response;
    }
    let Some(problem) = response.extensions().get::<Problem>().cloned() else {
        return response;
    };
    // A browser that is not logged in goes to the login page, and back after.
    if problem.status == 401 {
        return axum::response::Redirect::to(login_redirect.as_deref().unwrap_or("/login")).into_response();
    }
    let (mut parts, _) = response.into_parts();
    // The page replaces the (compressed) problem body; its encoding goes too.
    parts.headers.remove(header::CONTENT_ENCODING);
    let (principal, csrf) = match cookies {
        Some(cookies) => signed_in(&state, cookies).await,
        None => (None, None),
    };
    let lang = principal.as_ref().map_or(lang, Principal::lang);
    let mut context = match &csrf {
        Some(token) => super::page::context(principal.as_ref(), token),
        None => Context::new(),
    };
    context.insert("status", &problem.status);
    context.insert("title", &problem.title);
    context.insert("detail", &problem.detail);
    match state.views.render("error.html", lang, context) {
        Ok(page) => {
            parts.headers.remove(header::CONTENT_TYPE);
            parts.headers.remove(header::CONTENT_LENGTH);
            let page = page.into_response();
            let (page_parts, body) = page.into_parts();
            parts.headers.extend(page_parts.headers);
            Response::from_parts(parts, body)
        }
        Err(_) => Response::from_parts(parts, axum::body::Body::from(problem.title)),
    }
}

/// Who an error page is for, so its header shows their menu and not "Log
/// in": the session and form token from the request's cookies, if any.
async fn signed_in(state: &AppState, cookies: HeaderValue) -> (Option<Principal>, Option<CsrfToken>) {
    let jar = axum_extra::extract::CookieJar::from_headers(&axum::http::HeaderMap::from_iter([(
        header::COOKIE,
        cookies.clone(),
    )]));
    let Some(csrf) = jar.get(super::CSRF_COOKIE).map(|c| CsrfToken(c.value().to_string())) else {
        return (None, None);
    };
    let Ok(request) = Request::builder().uri("/").header(header::COOKIE, cookies).body(()) else {
        return (None, None);
    };
    let (mut parts, ()) = request.into_parts();
    let principal = Principal::from_request_parts(&mut parts, state).await.ok();
    (principal, Some(csrf))
}

fn urlencode(path: &str) -> String {
    serde_urlencoded::to_string([("", path)])
        .map(|s| s.trim_start_matches('=').to_string())
        .unwrap_or_default()
}
