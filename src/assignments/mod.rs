//! Assignments: forms a patient fills in once (with drafts saved on the way),
//! checked against their fields and handed to the therapist.

pub(crate) mod routes;
pub mod service;

pub use routes::routes;
