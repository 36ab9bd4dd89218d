//! Rollups that stay small at millions of events. Event counts lose the
//! patient (`usage_daily`: a few hundred rows per clinic-day); which patients
//! did what is kept once per patient and month, with one bit per day of the
//! month for each thing counted (`usage_patient_months`, and per module in
//! `usage_module_months`), so distinct patients over any period are counted
//! from about one row per patient-month. The worker rebuilds them from the
//! events after this migration. Also: the referrals and trained therapists a
//! manager enters per month beside the clinic's total treatments.

use sea_orm_migration::prelude::*;

use crate::table_spec::{create_tables, drop_tables, Column, Kind, TableSpec, NOT_NULL, NULL};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Missing dimensions are '' (and -1 for `value_key`), so every row has a key.
const USAGE_DAILY: &[Column] = &[
    ("day", Kind::Date, NOT_NULL),
    ("month", Kind::Text(7), NOT_NULL),
    ("clinic_id", Kind::Id, NOT_NULL),
    ("team_id", Kind::Text(36), NOT_NULL),
    ("therapist_id", Kind::Text(36), NOT_NULL),
    ("program_id", Kind::Text(64), NOT_NULL),
    ("module_id", Kind::Text(64), NOT_NULL),
    ("kind", Kind::Text(48), NOT_NULL),
    // Feedback latency in tenths of an hour; weeks into treatment for a
    // status change; otherwise -1.
    ("value_key", Kind::Int, NOT_NULL),
    ("events", Kind::Int, NOT_NULL),
];

const PATIENT_KEY: [Column; 6] = [
    ("month", Kind::Text(7), NOT_NULL),
    ("clinic_id", Kind::Id, NOT_NULL),
    ("team_id", Kind::Text(36), NOT_NULL),
    ("therapist_id", Kind::Text(36), NOT_NULL),
    ("program_id", Kind::Text(64), NOT_NULL),
    ("patient_pseudonym", Kind::Text(64), NOT_NULL),
];

/// Bit `d - 1` is set when the patient had such an event on day `d`.
const USAGE_PATIENT_MONTHS: &[Column] = &[
    PATIENT_KEY[0],
    PATIENT_KEY[1],
    PATIENT_KEY[2],
    PATIENT_KEY[3],
    PATIENT_KEY[4],
    PATIENT_KEY[5],
    ("active", Kind::Int, NOT_NULL),
    ("diary", Kind::Int, NOT_NULL),
    ("submitted", Kind::Int, NOT_NULL),
    ("questionnaire", Kind::Int, NOT_NULL),
    ("feedback_due", Kind::Int, NOT_NULL),
    ("feedback", Kind::Int, NOT_NULL),
    ("feedback_on_time", Kind::Int, NOT_NULL),
    ("contact", Kind::Int, NOT_NULL),
    ("tailored", Kind::Int, NOT_NULL),
    ("enrolled", Kind::Int, NOT_NULL),
    ("activated", Kind::Int, NOT_NULL),
    ("completed", Kind::Int, NOT_NULL),
    ("dropped_out", Kind::Int, NOT_NULL),
    ("stepped_up", Kind::Int, NOT_NULL),
];

const USAGE_MODULE_MONTHS: &[Column] = &[
    PATIENT_KEY[0],
    PATIENT_KEY[1],
    PATIENT_KEY[2],
    PATIENT_KEY[3],
    PATIENT_KEY[4],
    ("module_id", Kind::Text(64), NOT_NULL),
    PATIENT_KEY[5],
    ("started", Kind::Int, NOT_NULL),
    ("completed", Kind::Int, NOT_NULL),
];

const TABLES: &[TableSpec] = &[
    TableSpec {
        name: "usage_daily",
        columns: USAGE_DAILY,
        primary_key: &[
            "clinic_id",
            "day",
            "team_id",
            "therapist_id",
            "program_id",
            "module_id",
            "kind",
            "value_key",
        ],
        unique: &[],
        indexes: &[&["day"]],
    },
    TableSpec {
        name: "usage_patient_months",
        columns: USAGE_PATIENT_MONTHS,
        primary_key: &["clinic_id", "month", "team_id", "therapist_id", "program_id", "patient_pseudonym"],
        unique: &[],
        indexes: &[&["month"]],
    },
    TableSpec {
        name: "usage_module_months",
        columns: USAGE_MODULE_MONTHS,
        primary_key: &[
            "clinic_id",
            "month",
            "team_id",
            "therapist_id",
            "program_id",
            "module_id",
            "patient_pseudonym",
        ],
        unique: &[],
        indexes: &[&["month"]],
    },
];

async fn drop_old_daily(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager.drop_table(Table::drop().table(Alias::new("usage_daily")).to_owned()).await
}

async fn restart_rollups(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager.get_connection().execute_unprepared("DELETE FROM usage_rollup_state").await.map(|_| ())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_old_daily(manager).await?;
        create_tables(manager, TABLES).await?;
        restart_rollups(manager).await?;
        for name in ["referrals", "trained_therapists"] {
            let add = Table::alter()
                .table(Alias::new("treatment_totals"))
                .add_column(crate::table_spec::column(name, Kind::Int, NULL))
                .to_owned();
            manager.alter_table(add).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in ["referrals", "trained_therapists"] {
            let drop =
                Table::alter().table(Alias::new("treatment_totals")).drop_column(Alias::new(name)).to_owned();
            manager.alter_table(drop).await?;
        }
        drop_tables(manager, TABLES).await?;
        restart_rollups(manager).await?;
        // The patient-level daily rollup of migration 10, empty until rebuilt.
        crate::m20261122_000010_usage_rollups::Migration.up_daily(manager).await
    }
}
