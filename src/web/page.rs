//! What every logged-in page's template receives: the user for the header
//! and the CSRF token for its forms.

use serde::Serialize;
use tera::Context;

use super::CsrfToken;
use crate::auth::Principal;

#[derive(Serialize)]
struct PageUser<'a> {
    name: &'a str,
    role: &'a str,
}

/// A template context with `csrf`, when logged in `user`, and the
/// confirmation of the action that led here (`web::forms`), if any.
pub fn context(principal: Option<&Principal>, csrf: &CsrfToken) -> Context {
    let mut context = Context::new();
    context.insert("csrf", &csrf.0);
    if let Some(notice) = super::forms::current_notice() {
        context.insert("confirmation", notice.key());
    }
    if let Some(page) = super::forms::current_page() {
        context.insert("page_path", &page);
    }
    if let Some(p) = principal {
        context.insert("user", &PageUser { name: &p.user.name, role: p.role.as_str() });
        context.insert("tz", p.timezone.name());
        if let (Some(ends), Some(left)) = (p.session_ends_at, p.session_seconds_left) {
            context.insert("session_ends_at", &ends.to_rfc3339());
            context.insert("session_seconds_left", &left);
        }
    }
    context
}
