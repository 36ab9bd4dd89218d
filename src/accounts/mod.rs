//! Clinics, teams and user accounts.

mod role;
pub mod service;

pub use role::Role;
