//! Manager reports: how the treatment is taken up, given and sustained,
//! from usage events only. Managers see aggregates of their own clinic and
//! nothing that names or singles out a patient.

pub mod outcomes;
mod patients;
pub(crate) mod routes;
pub mod service;
pub mod treatments;

pub use routes::routes;
