//! Response layers shared by every route.

use axum::{
    extract::{Request, State},
    http::{header, HeaderName, HeaderValue},
    middleware::Next,
    response::{IntoResponse, Response},
};
use tera::Context;

use super::Lang;
use crate::{app::AppState, error::Problem};

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
    let mut context = Context::new();
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

fn urlencode(path: &str) -> String {
    serde_urlencoded::to_string([("", path)])
        .map(|s| s.trim_start_matches('=').to_string())
        .unwrap_or_default()
}
