//! sea-orm entities: one file per table, in the shape sea-orm-codegen writes.
//! Rules live in the features' service modules, not here.

pub mod api_tokens;
pub mod audit_log;
pub mod clinics;
pub mod login_failures;
pub mod mail_outbox;
pub mod one_time_tokens;
pub mod recovery_codes;
pub mod sessions;
pub mod teams;
pub mod users;
