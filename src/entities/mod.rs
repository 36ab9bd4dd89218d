//! sea-orm entities: one file per table, in the shape sea-orm-codegen writes.
//! Rules live in the features' service modules, not here.

pub mod api_tokens;
pub mod audit_log;
pub mod care_flags;
pub mod clinics;
pub mod contacts;
pub mod covers;
pub mod diary_entries;
pub mod diary_reminders;
pub mod digest_settings;
pub mod digests;
pub mod enrollments;
pub mod enums;
pub mod item_states;
pub mod kept_forms;
pub mod login_failures;
pub mod mail_outbox;
pub mod messages;
pub mod module_states;
pub mod notifications;
pub mod one_time_tokens;
pub mod patient_notices;
pub mod questionnaire_due;
pub mod questionnaire_responses;
pub mod recovery_codes;
pub mod sessions;
pub mod snippets;
pub mod states;
pub mod submissions;
pub mod teams;
pub mod treatment_totals;
pub mod usage_events;
pub mod users;
