//! Administration pages (`/admin/...`) and API routes for clinics, teams and
//! staff.

pub(crate) mod api;
mod pages;

pub use api::routes as api_routes;
pub use pages::routes as page_routes;
