//! Questionnaires on the program's schedule (baseline, after a module, end,
//! follow-up), scored on submit; risk rules raise an urgent notification.

pub mod charts;
pub mod reminders;
pub(crate) mod routes;
pub mod service;

pub use routes::routes;
