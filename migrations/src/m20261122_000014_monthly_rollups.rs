//! Event counts per month (`usage_monthly`): the daily rollup summed over
//! each month, about a twentieth of its rows. Reports read whole months from
//! here and only the days at a period's edges from `usage_daily`; the worker
//! recomputes a month whenever it rolls up one of its days.

use sea_orm_migration::prelude::*;

use crate::table_spec::{create_tables, drop_tables, Column, Kind, TableSpec, NOT_NULL};

#[derive(DeriveMigrationName)]
pub struct Migration;

const USAGE_MONTHLY: &[Column] = &[
    ("month", Kind::Text(7), NOT_NULL),
    ("clinic_id", Kind::Id, NOT_NULL),
    ("team_id", Kind::Text(36), NOT_NULL),
    ("therapist_id", Kind::Text(36), NOT_NULL),
    ("program_id", Kind::Text(64), NOT_NULL),
    ("module_id", Kind::Text(64), NOT_NULL),
    ("kind", Kind::Text(48), NOT_NULL),
    ("value_key", Kind::Int, NOT_NULL),
    ("events", Kind::Int, NOT_NULL),
];

const TABLES: &[TableSpec] = &[TableSpec {
    name: "usage_monthly",
    columns: USAGE_MONTHLY,
    primary_key: &[
        "clinic_id",
        "month",
        "team_id",
        "therapist_id",
        "program_id",
        "module_id",
        "kind",
        "value_key",
    ],
    unique: &[],
    indexes: &[&["month"]],
}];

/// The months already rolled up, summed once; from now on the worker keeps them.
const FILL: &str = "INSERT INTO usage_monthly (month, clinic_id, team_id, therapist_id, program_id, module_id, \
     kind, value_key, events) \
     SELECT month, clinic_id, team_id, therapist_id, program_id, module_id, kind, value_key, SUM(events) \
     FROM usage_daily GROUP BY month, clinic_id, team_id, therapist_id, program_id, module_id, kind, value_key";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_tables(manager, TABLES).await?;
        manager.get_connection().execute_unprepared(FILL).await.map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, TABLES).await
    }
}
