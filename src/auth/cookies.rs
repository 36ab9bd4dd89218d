//! The session cookie, and the language a logged-out page is shown in.

use axum::{
    http::{header, HeaderValue},
    response::Response,
};
use axum_extra::extract::cookie::{Cookie, SameSite};

use super::sessions::SESSION_COOKIE;
use crate::{ids, state::AppState, web};

/// Sets the session cookie and a fresh CSRF token on `response`.
pub fn start_browser_session(state: &AppState, response: &mut Response, secret: String) {
    let secure = state.settings.secure_cookies();
    let cookie = Cookie::build((SESSION_COOKIE, secret))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax);
    append(response, cookie.build());
    web::set_csrf_cookie(response, ids::new_secret(), secure);
}

pub fn clear_session_cookie(state: &AppState, response: &mut Response) {
    let cookie = Cookie::build((SESSION_COOKIE, ""))
        .path("/")
        .http_only(true)
        .secure(state.settings.secure_cookies())
        .same_site(SameSite::Lax)
        .max_age(time::Duration::ZERO);
    append(response, cookie.build());
}

/// After logging out, the login page still speaks the person's language,
/// whatever their browser asks for. It holds only "en" or "nl".
pub fn remember_language(state: &AppState, response: &mut Response, lang: web::Lang) {
    let cookie = Cookie::build((web::LANG_COOKIE, lang.code()))
        .path("/")
        .http_only(true)
        .secure(state.settings.secure_cookies())
        .same_site(SameSite::Lax)
        .max_age(time::Duration::days(365));
    append(response, cookie.build());
}

fn append(response: &mut Response, cookie: Cookie<'static>) {
    if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}
