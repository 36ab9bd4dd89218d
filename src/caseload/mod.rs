//! The therapist's caseload: every patient with what needs attention, most
//! urgent first, so nobody has to open records to find out.

pub mod contacts;
mod cover_page;
pub(crate) mod record;
pub mod risk;
mod risk_routes;
pub(crate) mod routes;
pub mod service;
pub mod snippets;
mod timeline;

pub use routes::routes;
