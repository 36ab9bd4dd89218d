//! Questionnaire reminders: when an assessment (baseline, mid, end,
//! follow-up) falls due the patient is told, content-free, and reminded once
//! three days later; after seven days it is overdue on the caseload. One row
//! per treatment and assessment remembers what was sent, so nothing is sent
//! twice; the patient's daily notice gets a flag for it.

use sea_orm_migration::prelude::*;

use crate::table_spec::{column, create_tables, drop_tables, Column, Kind, TableSpec, NOT_NULL, NULL};

#[derive(DeriveMigrationName)]
pub struct Migration;

const QUESTIONNAIRE_DUE: &[Column] = &[
    ("enrollment_id", Kind::Id, NOT_NULL),
    ("assessment_id", Kind::Text(64), NOT_NULL),
    ("due_since", Kind::Instant, NOT_NULL),
    ("notified_at", Kind::Instant, NOT_NULL),
    ("reminded_at", Kind::Instant, NULL),
    ("answered_at", Kind::Instant, NULL),
];

const TABLES: &[TableSpec] = &[TableSpec {
    name: "questionnaire_due",
    columns: QUESTIONNAIRE_DUE,
    primary_key: &["enrollment_id", "assessment_id"],
    unique: &[],
    indexes: &[],
}];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_tables(manager, TABLES).await?;
        let flag = column("questionnaire_due", Kind::Bool, NOT_NULL).default(false).to_owned();
        let add = Table::alter().table(Alias::new("patient_notices")).add_column(flag).to_owned();
        manager.alter_table(add).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let drop = Table::alter()
            .table(Alias::new("patient_notices"))
            .drop_column(Alias::new("questionnaire_due"))
            .to_owned();
        manager.alter_table(drop).await?;
        drop_tables(manager, TABLES).await
    }
}
