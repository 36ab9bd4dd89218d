//! The end of a record's life: backups and restores, erasing a patient, and
//! each clinic's retention period.

pub mod backup;
pub mod erasure;
pub(crate) mod routes;

pub use routes::routes;
