//! Daily usage rollups: per day, clinic, team, therapist, program, module,
//! kind and pseudonymous patient, how many events. Reports read these, so
//! they stay fast at millions of events; the worker keeps them current and
//! `icbt usage rebuild` recomputes them from the events.

use sea_orm_migration::prelude::*;

use crate::table_spec::{create_tables, drop_tables, Column, Kind, TableSpec, NOT_NULL};

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
    ("patient_pseudonym", Kind::Text(64), NOT_NULL),
    // Feedback latency in tenths of an hour, so medians come from counts.
    ("value_key", Kind::Int, NOT_NULL),
    ("events", Kind::Int, NOT_NULL),
];

const ROLLUP_STATE: &[Column] = &[
    ("name", Kind::Text(32), NOT_NULL),
    // Days before this one are final; this one and later are recomputed.
    ("rolled_from", Kind::Date, NOT_NULL),
    ("updated_at", Kind::Instant, NOT_NULL),
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
            "patient_pseudonym",
            "value_key",
        ],
        unique: &[],
        indexes: &[&["day"]],
    },
    TableSpec {
        name: "usage_rollup_state",
        columns: ROLLUP_STATE,
        primary_key: &["name"],
        unique: &[],
        indexes: &[],
    },
];

impl Migration {
    /// The daily table alone, for migration 12's way back.
    pub async fn up_daily(&self, manager: &SchemaManager<'_>) -> Result<(), DbErr> {
        create_tables(manager, &TABLES[..1]).await
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_tables(manager, TABLES).await?;
        // Rolling up a day reads its events by time across all clinics.
        manager
            .create_index(
                Index::create()
                    .name("idx_usage_events_at")
                    .table(Alias::new("usage_events"))
                    .col(Alias::new("at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop().name("idx_usage_events_at").table(Alias::new("usage_events")).to_owned(),
            )
            .await?;
        drop_tables(manager, TABLES).await
    }
}
