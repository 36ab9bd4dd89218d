//! Manager reports: how the treatment is taken up, given and sustained,
//! from usage events only. Managers see aggregates of their own clinic and
//! nothing that names or singles out a patient.
//!
//! `service::uptake` composes the report from its parts (`patients`,
//! `engagement`, `outcomes`, `treatments`), which all build on `figures`.

pub mod csv;
mod engagement;
pub mod figures;
pub mod model;
pub mod not_on_track;
pub mod outcomes;
mod patients;
pub(crate) mod routes;
pub mod service;
pub mod stepped_care;
mod suppression;
pub mod therapist_time;
pub mod treatments;

pub use figures::{period, ReportQuery, Scope, SUPPRESS_BELOW};
pub use model::Uptake;
pub use routes::routes;
