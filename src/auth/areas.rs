//! Which role each area of the site belongs to, checked once per request
//! before any handler runs or any body is read: a therapist posting to a
//! patient's form gets 403, not a complaint about the form. Handlers and
//! services still check what is finer (whose patient, which clinic).

use axum::{
    extract::{FromRequestParts, MatchedPath, Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::Principal;
use crate::{accounts::Role, app::AppState};

const PATIENT: &[Role] = &[Role::Patient];
const THERAPIST: &[Role] = &[Role::Therapist];
const MANAGER: &[Role] = &[Role::Manager];
const ADMIN: &[Role] = &[Role::Admin];

/// The roles that may use a route (by its template); `None` for routes open
/// to everyone or to anyone signed in.
pub fn roles_for(route: &str) -> Option<&'static [Role]> {
    let under = |prefix: &str| route == prefix || route.starts_with(&format!("{prefix}/"));
    match route.strip_prefix("/api/v1") {
        Some(api) => api_roles(api),
        None if ["/home", "/program", "/items", "/my-data", "/messages", "/questionnaires"]
            .iter()
            .any(|p| under(p)) =>
        {
            Some(PATIENT)
        }
        None if route == "/settings/reminders" => Some(PATIENT),
        None if ["/caseload", "/cover", "/snippets", "/patients", "/notifications", "/my-figures"]
            .iter()
            .any(|p| under(p)) =>
        {
            Some(THERAPIST)
        }
        None if route == "/settings/digests" => Some(THERAPIST),
        None if under("/reports") => Some(MANAGER),
        None if under("/admin") => Some(ADMIN),
        None => None,
    }
}

fn api_roles(api: &str) -> Option<&'static [Role]> {
    let under = |prefix: &str| api == prefix || api.starts_with(&format!("{prefix}/"));
    match api {
        "/me/digest-settings" | "/me/notifications" | "/me/figures" => Some(THERAPIST),
        _ if under("/me") && api != "/me" => Some(PATIENT),
        _ if under("/caseload") || under("/patients") => Some(THERAPIST),
        "/reports/clinics" => Some(ADMIN),
        _ if under("/reports") => Some(MANAGER),
        _ if ["/clinics", "/staff", "/audit", "/outbox"].iter().any(|p| under(p)) => Some(ADMIN),
        _ => None,
    }
}

/// Refuses, before the handler, anyone whose role the route's area does not
/// admit; the principal it finds is kept for the handler.
pub async fn require_area_role(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let roles = request.extensions().get::<MatchedPath>().and_then(|route| roles_for(route.as_str()));
    let Some(roles) = roles else { return next.run(request).await };
    let (mut parts, body) = request.into_parts();
    let allowed = match Principal::from_request_parts(&mut parts, &state).await {
        Ok(principal) => principal.require(roles),
        Err(refusal) => Err(refusal),
    };
    match allowed {
        Ok(()) => next.run(Request::from_parts(parts, body)).await,
        Err(refusal) => refusal.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_follow_the_route_templates() {
        assert_eq!(roles_for("/patients/{id}/status"), Some(THERAPIST));
        assert_eq!(roles_for("/items/{item_id}/entry"), Some(PATIENT));
        assert_eq!(roles_for("/api/v1/me/figures"), Some(THERAPIST));
        assert_eq!(roles_for("/api/v1/me/program"), Some(PATIENT));
        assert_eq!(roles_for("/api/v1/me"), None, "anyone signed in");
        assert_eq!(roles_for("/api/v1/reports/clinics"), Some(ADMIN));
        assert_eq!(roles_for("/api/v1/reports/uptake.csv"), Some(MANAGER));
        assert_eq!(roles_for("/messagesx"), None, "a prefix is a whole segment");
        assert_eq!(roles_for("/login"), None);
    }
}
