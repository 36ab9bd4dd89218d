//! Database migrations for icbt, one file per migration. They run at start-up
//! and with `icbt migrate`, on SQLite and PostgreSQL alike.

pub use sea_orm_migration::prelude::*;

pub(crate) mod m20261121_000001_clinics_teams_users;
mod m20261122_000002_auth_audit_outbox;
mod m20261122_000003_care;
mod m20261122_000004_contacts;
mod m20261122_000005_snippets;
mod m20261122_000006_covers;
mod m20261122_000007_digest_settings;
mod m20261122_000008_caseload_indexes;
mod m20261122_000009_digests;
mod m20261122_000010_usage_rollups;
mod m20261122_000011_treatment_totals;
mod m20261122_000012_patient_rollups;
mod m20261122_000013_retention;
mod m20261122_000014_monthly_rollups;
mod m20261203_000015_risk_handling;
mod m20261203_000016_time_zones;
mod m20261203_000017_kept_forms;
mod m20261204_000018_feedback_occasions;
mod m20261204_000019_care_flags;
mod m20261204_000020_questionnaire_reminders;
mod m20261204_000021_going_quiet;
mod m20261204_000022_flag_detail;
mod table_spec;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_clinics_teams_users::Migration),
            Box::new(m20261122_000002_auth_audit_outbox::Migration),
            Box::new(m20261122_000003_care::Migration),
            Box::new(m20261122_000004_contacts::Migration),
            Box::new(m20261122_000005_snippets::Migration),
            Box::new(m20261122_000006_covers::Migration),
            Box::new(m20261122_000007_digest_settings::Migration),
            Box::new(m20261122_000008_caseload_indexes::Migration),
            Box::new(m20261122_000009_digests::Migration),
            Box::new(m20261122_000010_usage_rollups::Migration),
            Box::new(m20261122_000011_treatment_totals::Migration),
            Box::new(m20261122_000012_patient_rollups::Migration),
            Box::new(m20261122_000013_retention::Migration),
            Box::new(m20261122_000014_monthly_rollups::Migration),
            Box::new(m20261203_000015_risk_handling::Migration),
            Box::new(m20261203_000016_time_zones::Migration),
            Box::new(m20261203_000017_kept_forms::Migration),
            Box::new(m20261204_000018_feedback_occasions::Migration),
            Box::new(m20261204_000019_care_flags::Migration),
            Box::new(m20261204_000020_questionnaire_reminders::Migration),
            Box::new(m20261204_000021_going_quiet::Migration),
            Box::new(m20261204_000022_flag_detail::Migration),
        ]
    }
}
