//! Clinics, teams and user accounts.

pub mod admin;
mod role;
pub(crate) mod routes;
pub mod service;

pub use role::Role;
pub use routes::routes;

/// The role stored on a user row.
pub fn role_of(user: &crate::entities::users::Model) -> crate::error::AppResult<Role> {
    user.role.parse().map_err(|e: String| crate::error::AppError::Internal(anyhow::anyhow!(e)))
}
