//! Administration pages (`/admin/...`) and API routes for clinics, teams and
//! staff.

pub(crate) mod api;
mod pages;

use crate::routing::Routes;

pub fn routes() -> Routes {
    api::routes().merge(pages::routes())
}
