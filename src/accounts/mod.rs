//! Clinics, teams and user accounts.

pub mod admin;
pub(crate) mod routes;
pub mod service;
pub mod time_zone;

pub use crate::entities::enums::Role;
pub use routes::routes;
