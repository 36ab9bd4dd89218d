//! Pages and API routes for logging in and out, links, and the account.

mod account;
pub(crate) mod api;
mod links;
mod login;

use crate::routing::Routes;

pub fn routes() -> Routes {
    login::routes().merge(links::routes()).merge(account::routes()).merge(api::routes())
}

/// Where a role lands after logging in.
pub fn landing_page(role: crate::accounts::Role) -> &'static str {
    match role {
        crate::accounts::Role::Admin => "/admin",
        crate::accounts::Role::Patient => "/home",
        crate::accounts::Role::Therapist => "/caseload",
        crate::accounts::Role::Manager => "/reports",
    }
}

/// Keeps a `next` parameter to a local path, so a login link cannot send the
/// user to another site.
pub(crate) fn safe_next(next: Option<&str>) -> Option<String> {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\')).map(str::to_string)
}
