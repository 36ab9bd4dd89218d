//! Diaries: daily registrations (pain, fatigue, sleep, activity) that stay
//! open once their module starts. One entry per diary per day; today's and
//! yesterday's can be edited.

pub mod charts;
pub(crate) mod routes;
pub mod service;

pub use routes::routes;
