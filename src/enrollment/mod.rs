//! Enrollment: a therapist enrolls a patient after the intake (program,
//! feedback cadence, case code) and the patient gets an invitation. Also the
//! one place that decides who may see which patient record.

pub mod access;
pub mod cover;
mod pages;
pub(crate) mod routes;
pub mod schedule;
pub mod service;

pub use routes::routes;
