//! The append-only audit log: every staff read or change of a patient record,
//! every login and failed login, second-factor and role changes. Rows are
//! only ever inserted; the database refuses updates and deletes.

pub(crate) mod routes;
pub mod search;
pub mod service;

pub use routes::routes;
pub use search::AuditQuery;
pub use service::{record, AuditEntry};
